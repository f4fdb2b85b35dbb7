//! AWS provisioning: from the user's AWS credentials to a thing with an active
//! certificate, a least-privilege policy and the ATS endpoint, in one call.
//!
//! Order matters for safety: the certificate is created and checked against its key
//! before anything is attached to it, so a failure leaves at most resources that are
//! listed in the error. Re-running is get-or-create for the thing and the policy; a new
//! certificate is made each time (AWS gives out a private key only once).

pub mod policy;
pub mod profiles;

use std::path::{Path, PathBuf};

use aws_sdk_iot::error::{DisplayErrorContext, ProvideErrorMetadata, SdkError};
use serde::Serialize;
use zeroize::Zeroizing;

use crate::credentials::{self, InputFile};

/// Which key the device gets.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, clap::ValueEnum)]
#[serde(rename_all = "kebab-case")]
pub enum KeyType {
    /// An EC P-256 key made on this computer; AWS signs a CSR (`CreateCertificateFromCsr`).
    /// The private key never leaves the machine, and handshakes are faster on small chips.
    #[default]
    #[value(name = "ec-p256")]
    EcP256,
    /// An RSA-2048 key made by AWS (`CreateKeysAndCertificate`).
    #[value(name = "rsa-2048")]
    #[serde(rename = "rsa-2048")]
    Rsa2048,
}

/// What to create.
#[derive(Clone, Debug)]
pub struct Request {
    /// Thing name (also the MQTT client id).
    pub thing: String,
    /// Policy name; `None` uses [`policy::DEFAULT_POLICY_NAME`].
    pub policy: Option<String>,
    /// Topic prefix the policy allows (must match the device config).
    pub topic_prefix: String,
    /// Which account and region.
    pub account: Account,
    /// Key type.
    pub key_type: KeyType,
    /// The request of a board that keeps its own key: the certificate is made from it
    /// (`key_type` is then not used, and no key exists anywhere but on the board).
    pub board_csr: Option<credentials::csr::BoardCsr>,
}

/// Which AWS account and region, and how to reach its APIs: what every AWS command and
/// the window's AWS forms share.
#[derive(Clone, Debug, Default, PartialEq, Eq, clap::Args)]
pub struct Account {
    /// AWS profile from ~/.aws/config; default: the standard credential chain (env,
    /// default profile, SSO...).
    #[arg(long)]
    pub profile: Option<String>,
    /// AWS region; default: the profile's or the environment's.
    #[arg(long)]
    pub region: Option<String>,
    /// Another endpoint for the AWS APIs (a local mock such as moto).
    #[arg(long)]
    pub endpoint_url: Option<String>,
    /// A shared credentials file to read instead of ~/.aws/credentials (a station's own
    /// keys kept apart from the user's).
    #[arg(long, value_name = "FILE")]
    pub credentials_file: Option<std::path::PathBuf>,
}

/// A resource that exists in the account after the run.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Resource {
    /// Kind: `certificate`, `thing`, `policy`, `policy attachment`, `thing attachment`.
    pub kind: &'static str,
    /// Its name or ARN.
    pub id: String,
    /// True when this run created it, false when it existed and was reused.
    pub created: bool,
}

/// What a successful run produced.
#[derive(Serialize)]
pub struct Provisioned {
    /// The thing.
    pub thing: String,
    /// AWS region used.
    pub region: String,
    /// Account id.
    pub account: String,
    /// The ATS data endpoint.
    pub endpoint: String,
    /// Certificate id.
    pub certificate_id: String,
    /// Certificate ARN.
    pub certificate_arn: String,
    /// Policy name.
    pub policy: String,
    /// Certificate, PEM.
    #[serde(skip)]
    pub certificate_pem: String,
    /// Private key, PEM. Wiped on drop, never serialised.
    #[serde(skip)]
    pub private_key_pem: Zeroizing<String>,
    /// Key type (of a key made here or by AWS).
    pub key_type: KeyType,
    /// The key was made on the board and never left it (`private_key_pem` is empty).
    pub key_on_board: bool,
    /// Everything created or reused, in order.
    pub resources: Vec<Resource>,
}

impl std::fmt::Debug for Provisioned {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Provisioned")
            .field("thing", &self.thing)
            .field("endpoint", &self.endpoint)
            .field("certificate_id", &self.certificate_id)
            .field("private_key_pem", &"<redacted>")
            .finish_non_exhaustive()
    }
}

/// Progress, for a GUI or a CLI line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Progress {
    /// A step started.
    Step(&'static str),
    /// A resource was created or reused.
    Done(Resource),
}

/// Why provisioning failed. Every variant names what was already created, when anything was.
#[derive(Debug, thiserror::Error)]
pub enum ProvisionError {
    /// The thing name breaks AWS's rules.
    #[error("the thing name '{0}' is not allowed: use 1-128 letters, digits, ':', '_' or '-'")]
    ThingName(String),
    /// The policy name breaks AWS's rules.
    #[error(
        "the policy name '{0}' is not allowed: use 1-128 letters, digits, '+', '=', ',', '.', '@' or '-'"
    )]
    PolicyName(String),
    /// No credentials were found.
    #[error(
        "no AWS credentials found ({detail}): run `aws configure` (access keys) or `aws sso login --profile NAME`, or set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY"
    )]
    NoCredentials {
        /// What the credential chain said.
        detail: String,
    },
    /// Credentials were rejected.
    #[error(
        "AWS rejected the credentials ({detail}): they are wrong or expired; for SSO run `aws sso login`, for access keys check `aws configure list`"
    )]
    BadCredentials {
        /// AWS's message.
        detail: String,
    },
    /// No region.
    #[error(
        "no AWS region set: choose one (e.g. --region eu-west-1) or set `region` in the profile"
    )]
    NoRegion,
    /// Not allowed.
    #[error(
        "access denied for {action}: the AWS user lacks the IAM permission {action}; add it to the user's or role's IAM policy ({message}){created}"
    )]
    AccessDenied {
        /// The IAM action, e.g. `iot:CreateThing`.
        action: &'static str,
        /// AWS's message.
        message: String,
        /// What had been created.
        created: Created,
    },
    /// Still throttled after the SDK's retries with backoff.
    #[error(
        "AWS kept throttling {action} after several retries with backoff: wait a minute and run again{created}"
    )]
    Throttled {
        /// The IAM action.
        action: &'static str,
        /// What had been created.
        created: Created,
    },
    /// Could not reach AWS.
    #[error(
        "cannot reach AWS IoT for {action} ({detail}): check the internet connection, and that the region has AWS IoT Core{created}"
    )]
    Network {
        /// The IAM action.
        action: &'static str,
        /// The transport error.
        detail: String,
        /// What had been created.
        created: Created,
    },
    /// Any other AWS error.
    #[error("{action} failed: {code}: {message}{created}")]
    Aws {
        /// The IAM action.
        action: &'static str,
        /// AWS's error code.
        code: String,
        /// AWS's message.
        message: String,
        /// What had been created.
        created: Created,
    },
    /// AWS answered without a field it always sends.
    #[error("{action}: AWS's answer lacks {field}{created}")]
    Incomplete {
        /// The IAM action.
        action: &'static str,
        /// The missing field.
        field: &'static str,
        /// What had been created.
        created: Created,
    },
    /// The certificate returned is not for the key (moto's CreateCertificateFromCsr does
    /// this; real AWS does not). The certificate was deleted again.
    #[error(
        "the certificate AWS returned does not belong to the key sent in the CSR ({detail}); it was deactivated and deleted again. AWS IoT signs the CSR's key; a mock service may not: use --key-type rsa-2048 there{created}"
    )]
    CertificateMismatch {
        /// What the check found.
        detail: String,
        /// What had been created.
        created: Created,
    },
    /// The certificate made from a board's request is not for the board's key (moto's
    /// CreateCertificateFromCsr does this). It was deleted again; nothing was written.
    #[error(
        "the certificate AWS returned is not for the key this board made ({detail}); it was deactivated and deleted again, and nothing was written to the board. AWS IoT signs the request's own key; a mock service may not{created}"
    )]
    BoardCertificateMismatch {
        /// What the check found.
        detail: String,
        /// What had been created.
        created: Created,
    },
    /// A provisioning-by-claim batch cannot be made or used (its folder, its template's
    /// name).
    #[error("{0}")]
    Batch(String),
    /// Local key or CSR generation failed.
    #[error("cannot make the key or CSR: {0}")]
    Csr(String),
    /// Writing the files failed.
    #[error(transparent)]
    Files(#[from] credentials::CredentialsError),
}

/// Resources that exist because of a failed run, for error messages.
#[derive(Debug, Default, Clone)]
pub struct Created(pub Vec<Resource>);

impl std::fmt::Display for Created {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let made: Vec<String> = self
            .0
            .iter()
            .filter(|r| r.created)
            .map(|r| format!("{} {}", r.kind, r.id))
            .collect();
        if made.is_empty() {
            Ok(())
        } else {
            write!(f, ". Already created in AWS: {}", made.join(", "))
        }
    }
}

/// Map an SDK error for the IAM `action` to what the user must do. `done` lists what
/// already exists, so that the message can name it.
pub fn map_sdk_error<E>(action: &'static str, e: SdkError<E>, done: &[Resource]) -> ProvisionError
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
{
    let created = Created(done.to_vec());
    match &e {
        SdkError::ServiceError(ctx) => {
            let status = ctx.raw().status().as_u16();
            let body = ctx
                .raw()
                .body()
                .bytes()
                .map(String::from_utf8_lossy)
                .unwrap_or_default();
            // A body the SDK could not parse (some mocks answer in XML for JSON APIs) still
            // names the error; failing that, the HTTP status does.
            let tag = |t: &str| {
                let open = format!("<{t}>");
                let start = body.find(&open)? + open.len();
                Some(body[start..start + body[start..].find('<')?].to_string())
            };
            let code = match ctx.err().code() {
                Some(c) if c != "Unknown" => c.to_string(),
                _ => tag("Code").unwrap_or_else(|| match status {
                    401 => "UnrecognizedClientException".into(),
                    403 => "AccessDeniedException".into(),
                    429 => "ThrottlingException".into(),
                    _ => format!("HTTP {status}"),
                }),
            };
            let message = match ctx.err().message() {
                Some(m) if !m.is_empty() => m.to_string(),
                _ => tag("Message").unwrap_or_else(|| format!("HTTP {status}")),
            };
            match code.as_str() {
                "AccessDeniedException"
                | "AccessDenied"
                | "UnauthorizedException"
                | "AuthorizationError" => ProvisionError::AccessDenied {
                    action,
                    message,
                    created,
                },
                "ThrottlingException"
                | "Throttling"
                | "TooManyRequestsException"
                | "LimitExceededException" => ProvisionError::Throttled { action, created },
                "ExpiredToken"
                | "ExpiredTokenException"
                | "InvalidClientTokenId"
                | "UnrecognizedClientException"
                | "InvalidSignatureException"
                | "SignatureDoesNotMatch" => ProvisionError::BadCredentials {
                    detail: format!("{code}: {message}"),
                },
                _ => ProvisionError::Aws {
                    action,
                    code,
                    message,
                    created,
                },
            }
        }
        SdkError::DispatchFailure(_) | SdkError::TimeoutError(_) => ProvisionError::Network {
            action,
            detail: DisplayErrorContext(&e).to_string(),
            created,
        },
        _ => {
            let detail = DisplayErrorContext(&e).to_string();
            if detail.contains("credentials") || detail.contains("identity") {
                ProvisionError::NoCredentials { detail }
            } else {
                ProvisionError::Aws {
                    action,
                    code: "RequestFailed".into(),
                    message: detail,
                    created,
                }
            }
        }
    }
}

/// Load the AWS configuration the standard way (env, profiles, SSO), with retries on
/// throttling.
// The loader takes `ProfileFiles`; its new name is in aws-runtime, not a dependency here.
#[allow(deprecated)]
pub async fn load_config(account: &Account) -> aws_config::SdkConfig {
    use aws_config::profile::profile_file::{ProfileFileKind, ProfileFiles};
    let mut loader = aws_config::defaults(aws_config::BehaviorVersion::latest())
        .retry_config(aws_config::retry::RetryConfig::standard().with_max_attempts(5));
    if let Some(p) = &account.profile {
        loader = loader.profile_name(p);
    }
    if let Some(r) = &account.region {
        loader = loader.region(aws_config::Region::new(r.clone()));
    }
    if let Some(u) = &account.endpoint_url {
        loader = loader.endpoint_url(u);
    }
    if let Some(file) = &account.credentials_file {
        loader = loader.profile_files(
            ProfileFiles::builder()
                .include_default_config_file(true)
                .with_file(ProfileFileKind::Credentials, file)
                .build(),
        );
    }
    loader.load().await
}

/// Who the credentials belong to: (account, ARN). Fails with a clear message when there
/// are none or they are expired.
pub async fn who_am_i(conf: &aws_config::SdkConfig) -> Result<(String, String), ProvisionError> {
    use aws_sdk_iot::config::ProvideCredentials as _;
    let Some(provider) = conf.credentials_provider() else {
        return Err(ProvisionError::NoCredentials {
            detail: "no credential provider".into(),
        });
    };
    provider
        .provide_credentials()
        .await
        .map_err(|e| ProvisionError::NoCredentials {
            // The SDK's full chain report is long; say where was looked.
            detail: match e {
                aws_credential_types::provider::error::CredentialsError::CredentialsNotLoaded(_) => {
                    "looked in the environment, ~/.aws/config and ~/.aws/credentials, SSO, web identity, ECS and EC2 metadata".into()
                }
                other => other.to_string(),
            },
        })?;
    let sts = aws_sdk_sts::Client::new(conf);
    let me = sts
        .get_caller_identity()
        .send()
        .await
        .map_err(|e| map_sdk_error("sts:GetCallerIdentity", e, &[]))?;
    Ok((
        me.account().unwrap_or_default().to_string(),
        me.arn().unwrap_or_default().to_string(),
    ))
}

/// A fresh EC P-256 key and a CSR for it, both PEM.
pub fn make_csr(thing: &str) -> Result<(Zeroizing<String>, String), ProvisionError> {
    let key = rcgen::KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256)
        .map_err(|e| ProvisionError::Csr(e.to_string()))?;
    let mut params = rcgen::CertificateParams::new(Vec::<String>::new())
        .map_err(|e| ProvisionError::Csr(e.to_string()))?;
    params.distinguished_name = rcgen::DistinguishedName::new();
    params
        .distinguished_name
        .push(rcgen::DnType::CommonName, thing);
    let csr = params
        .serialize_request(&key)
        .and_then(|r| r.pem())
        .map_err(|e| ProvisionError::Csr(e.to_string()))?;
    Ok((Zeroizing::new(key.serialize_pem()), csr))
}

/// Check that a certificate and key PEM belong together, with the same analysis
/// `thingflash check` runs.
pub fn pair_problem(cert_pem: &str, key_pem: &str) -> Option<String> {
    let files = [
        InputFile::from_bytes("certificate", cert_pem.as_bytes().to_vec()),
        InputFile::from_bytes("private key", key_pem.as_bytes().to_vec()),
    ];
    let a = credentials::analyse(&files, &[], time::OffsetDateTime::now_utc(), None);
    a.findings
        .iter()
        .find(|f| {
            use credentials::Code;
            matches!(
                f.code,
                Code::KeyMismatch | Code::KeyUnusable | Code::MissingKey
            )
        })
        .map(|f| f.message.clone())
}

/// The account behind an [`Account`], checked once: an AWS IoT client, its region and the
/// account id (its credentials are known to work).
pub struct Session {
    /// The client.
    pub iot: aws_sdk_iot::Client,
    /// The region.
    pub region: String,
    /// The account id.
    pub account_id: String,
}

/// Open a [`Session`]: the configuration the standard way, a region, working credentials.
pub async fn session(account: &Account) -> Result<Session, ProvisionError> {
    let conf = load_config(account).await;
    let region = conf
        .region()
        .map(ToString::to_string)
        .ok_or(ProvisionError::NoRegion)?;
    let (account_id, _) = who_am_i(&conf).await?;
    Ok(Session {
        iot: aws_sdk_iot::Client::new(&conf),
        region,
        account_id,
    })
}

/// The account's ATS data endpoint (`iot:DescribeEndpoint`): what boards connect to.
/// `done` is what exists already, for the error message.
pub async fn describe_ats(
    iot: &aws_sdk_iot::Client,
    done: &[Resource],
) -> Result<String, ProvisionError> {
    iot.describe_endpoint()
        .endpoint_type("iot:Data-ATS")
        .send()
        .await
        .map_err(|e| map_sdk_error("iot:DescribeEndpoint", e, done))?
        .endpoint_address()
        .map(str::to_string)
        .ok_or(ProvisionError::Incomplete {
            action: "iot:DescribeEndpoint",
            field: "endpointAddress",
            created: Created(done.to_vec()),
        })
}

/// The account's ATS data endpoint, what thingflash's firmware connects to when no
/// endpoint was typed.
pub async fn ats_endpoint(account: &Account) -> Result<String, ProvisionError> {
    describe_ats(&session(account).await?.iot, &[]).await
}

/// Run the whole flow. `progress` is called as steps start and resources appear.
pub async fn provision(
    req: &Request,
    mut progress: impl FnMut(Progress),
) -> Result<Provisioned, ProvisionError> {
    policy::validate_thing_name(&req.thing)?;
    let policy_name = req
        .policy
        .clone()
        .unwrap_or_else(|| policy::DEFAULT_POLICY_NAME.to_string());
    policy::validate_policy_name(&policy_name)?;

    progress(Progress::Step("checking AWS credentials"));
    let Session {
        iot,
        region,
        account_id: account,
    } = session(&req.account).await?;
    let mut done: Vec<Resource> = Vec::new();
    let record = |r: Resource, done: &mut Vec<Resource>, progress: &mut dyn FnMut(Progress)| {
        progress(Progress::Done(r.clone()));
        done.push(r);
    };

    progress(Progress::Step("finding the ATS endpoint"));
    let endpoint = describe_ats(&iot, &done).await?;

    progress(Progress::Step("creating the certificate"));
    let (certificate_id, certificate_arn, certificate_pem, private_key_pem) = match &req.board_csr {
        Some(csr) => {
            let (id, arn, pem) = certificate_from_csr(&iot, &csr.pem(), &done).await?;
            (id, arn, pem, Zeroizing::new(String::new()))
        }
        None => create_certificate(&iot, req.key_type, &req.thing, &done).await?,
    };
    let cert_resource = Resource {
        kind: "certificate",
        id: certificate_arn.clone(),
        created: true,
    };
    let problem = match &req.board_csr {
        Some(csr) => board_pair_problem(csr, &certificate_pem),
        None => pair_problem(&certificate_pem, &private_key_pem),
    };
    if let Some(detail) = problem {
        // Nothing is attached yet: remove the unusable certificate so no orphan stays.
        let cleanup = async {
            iot.update_certificate()
                .certificate_id(&certificate_id)
                .new_status(aws_sdk_iot::types::CertificateStatus::Inactive)
                .send()
                .await
                .ok()?;
            iot.delete_certificate()
                .certificate_id(&certificate_id)
                .send()
                .await
                .ok()
        };
        let deleted = cleanup.await.is_some();
        let mut left = done.clone();
        if !deleted {
            left.push(cert_resource);
        }
        return Err(if req.board_csr.is_some() {
            ProvisionError::BoardCertificateMismatch {
                detail,
                created: Created(left),
            }
        } else {
            ProvisionError::CertificateMismatch {
                detail,
                created: Created(left),
            }
        });
    }
    record(cert_resource, &mut done, &mut progress);

    progress(Progress::Step("creating the thing"));
    let thing_created = ensure_thing(&iot, &req.thing, &done).await?;
    record(
        Resource {
            kind: "thing",
            id: req.thing.clone(),
            created: thing_created,
        },
        &mut done,
        &mut progress,
    );

    progress(Progress::Step("creating the policy"));
    let document = policy::document(&region, &account, &req.topic_prefix);
    let policy_created = ensure_policy(&iot, &policy_name, &document, &done).await?;
    record(
        Resource {
            kind: "policy",
            id: policy_name.clone(),
            created: policy_created,
        },
        &mut done,
        &mut progress,
    );

    progress(Progress::Step("attaching the policy to the certificate"));
    iot.attach_policy()
        .policy_name(&policy_name)
        .target(&certificate_arn)
        .send()
        .await
        .map_err(|e| map_sdk_error("iot:AttachPolicy", e, &done))?;
    record(
        Resource {
            kind: "policy attachment",
            id: format!("{policy_name} -> {certificate_id}"),
            created: true,
        },
        &mut done,
        &mut progress,
    );

    progress(Progress::Step("attaching the certificate to the thing"));
    iot.attach_thing_principal()
        .thing_name(&req.thing)
        .principal(&certificate_arn)
        .send()
        .await
        .map_err(|e| map_sdk_error("iot:AttachThingPrincipal", e, &done))?;
    record(
        Resource {
            kind: "thing attachment",
            id: format!("{certificate_id} -> {}", req.thing),
            created: true,
        },
        &mut done,
        &mut progress,
    );

    Ok(Provisioned {
        thing: req.thing.clone(),
        region,
        account,
        endpoint,
        certificate_id,
        certificate_arn,
        policy: policy_name,
        certificate_pem,
        private_key_pem,
        key_type: req.key_type,
        key_on_board: req.board_csr.is_some(),
        resources: done,
    })
}

/// Why a certificate AWS made from a board's request cannot go on that board: it is not
/// for the board's key. `None` when it is.
pub fn board_pair_problem(csr: &credentials::csr::BoardCsr, cert_pem: &str) -> Option<String> {
    let der = x509_parser::pem::parse_x509_pem(cert_pem.as_bytes())
        .ok()
        .map(|(_, p)| p.contents);
    match der {
        Some(der) if csr.certifies(&der) => None,
        Some(_) => Some(
            "the certificate AWS returned is for another key than the one the board made (its public key is not the one in the board's request)".into(),
        ),
        None => Some("the certificate AWS returned is not PEM".into()),
    }
}

/// A new ACTIVE certificate signed from a request made elsewhere (a board's): its id,
/// ARN and PEM. `done` is what exists already, for the error message.
pub async fn certificate_from_csr(
    iot: &aws_sdk_iot::Client,
    csr_pem: &str,
    done: &[Resource],
) -> Result<(String, String, String), ProvisionError> {
    let out = iot
        .create_certificate_from_csr()
        .certificate_signing_request(csr_pem)
        .set_as_active(true)
        .send()
        .await
        .map_err(|e| map_sdk_error("iot:CreateCertificateFromCsr", e, done))?;
    match (
        out.certificate_id(),
        out.certificate_arn(),
        out.certificate_pem(),
    ) {
        (Some(id), Some(arn), Some(pem)) => Ok((id.to_string(), arn.to_string(), pem.to_string())),
        _ => Err(ProvisionError::Incomplete {
            action: "iot:CreateCertificateFromCsr",
            field: "certificate",
            created: Created(done.to_vec()),
        }),
    }
}

/// A new ACTIVE certificate for `thing` and its key: made here with AWS signing the CSR
/// ([`KeyType::EcP256`]), or made by AWS ([`KeyType::Rsa2048`]). Its id, ARN, PEM and the
/// key's PEM. `done` is what exists already, for the error message.
pub async fn create_certificate(
    iot: &aws_sdk_iot::Client,
    key_type: KeyType,
    thing: &str,
    done: &[Resource],
) -> Result<(String, String, String, Zeroizing<String>), ProvisionError> {
    Ok(match key_type {
        KeyType::Rsa2048 => {
            let out = iot
                .create_keys_and_certificate()
                .set_as_active(true)
                .send()
                .await
                .map_err(|e| map_sdk_error("iot:CreateKeysAndCertificate", e, done))?;
            let key = out
                .key_pair()
                .and_then(|k| k.private_key())
                .map(|k| Zeroizing::new(k.to_string()));
            match (
                out.certificate_id(),
                out.certificate_arn(),
                out.certificate_pem(),
                key,
            ) {
                (Some(id), Some(arn), Some(pem), Some(key)) => {
                    (id.to_string(), arn.to_string(), pem.to_string(), key)
                }
                _ => {
                    return Err(ProvisionError::Incomplete {
                        action: "iot:CreateKeysAndCertificate",
                        field: "certificate or key",
                        created: Created(done.to_vec()),
                    });
                }
            }
        }
        KeyType::EcP256 => {
            let (key, csr) = make_csr(thing)?;
            let (id, arn, pem) = certificate_from_csr(iot, &csr, done).await?;
            (id, arn, pem, key)
        }
    })
}

/// Get or create a thing; true when it was created. `done` is what exists already, for
/// the error message.
pub async fn ensure_thing(
    iot: &aws_sdk_iot::Client,
    thing: &str,
    done: &[Resource],
) -> Result<bool, ProvisionError> {
    // CreateThing succeeds for an existing thing too, so ask first to report "reused" truthfully.
    match iot.describe_thing().thing_name(thing).send().await {
        Ok(_) => Ok(false),
        Err(e)
            if e.as_service_error()
                .is_some_and(|s| s.is_resource_not_found_exception()) =>
        {
            match iot.create_thing().thing_name(thing).send().await {
                Ok(_) => Ok(true),
                Err(e)
                    if e.as_service_error()
                        .is_some_and(|s| s.is_resource_already_exists_exception()) =>
                {
                    Ok(false)
                }
                Err(e) => Err(map_sdk_error("iot:CreateThing", e, done)),
            }
        }
        Err(e) => Err(map_sdk_error("iot:DescribeThing", e, done)),
    }
}

/// Get or create a policy; true when it was created. An existing policy is reused as it
/// is (never overwritten: it may be the user's own).
pub async fn ensure_policy(
    iot: &aws_sdk_iot::Client,
    name: &str,
    document: &str,
    done: &[Resource],
) -> Result<bool, ProvisionError> {
    match iot.get_policy().policy_name(name).send().await {
        Ok(_) => Ok(false),
        Err(e)
            if e.as_service_error()
                .is_some_and(|s| s.is_resource_not_found_exception()) =>
        {
            match iot
                .create_policy()
                .policy_name(name)
                .policy_document(document)
                .send()
                .await
            {
                Ok(_) => Ok(true),
                // Created by someone else in between: reuse it.
                Err(e)
                    if e.as_service_error()
                        .is_some_and(|s| s.is_resource_already_exists_exception()) =>
                {
                    Ok(false)
                }
                Err(e) => Err(map_sdk_error("iot:CreatePolicy", e, done)),
            }
        }
        Err(e) => Err(map_sdk_error("iot:GetPolicy", e, done)),
    }
}

/// Write `<thing>-certificate.pem.crt`, `<thing>-private.pem.key` (0600) and
/// `<thing>-endpoint.json` into `dir`. Refuses to replace files.
pub fn save(p: &Provisioned, dir: &Path) -> Result<Vec<PathBuf>, ProvisionError> {
    std::fs::create_dir_all(dir).map_err(|source| credentials::CredentialsError::Write {
        path: dir.display().to_string(),
        source,
    })?;
    let json = serde_json::to_string_pretty(p).unwrap_or_default() + "\n";
    let files: Vec<(String, &[u8], bool)> = [
        (
            format!("{}-certificate.pem.crt", p.thing),
            p.certificate_pem.as_bytes(),
            false,
        ),
        (
            format!("{}-private.pem.key", p.thing),
            p.private_key_pem.as_bytes(),
            true,
        ),
        (format!("{}-endpoint.json", p.thing), json.as_bytes(), false),
    ]
    .into_iter()
    // A key made on the board has no file anywhere.
    .filter(|(_, bytes, secret)| !(*secret && bytes.is_empty()))
    .collect();
    if let Some(existing) = files
        .iter()
        .map(|(n, _, _)| dir.join(n))
        .find(|p| p.exists())
    {
        return Err(credentials::CredentialsError::Exists {
            path: existing.display().to_string(),
        }
        .into());
    }
    let mut written = Vec::new();
    for (name, bytes, secret) in files {
        let path = dir.join(name);
        credentials::convert::write_file(&path, bytes, secret, false)?;
        written.push(path);
    }
    Ok(written)
}
