//! The root CAs that verify AWS IoT's server: recognised by the SHA-256 of their
//! SubjectPublicKeyInfo (fingerprints from Amazon Trust Services), and the two thingflash
//! ships and uses when the user drops none.

/// A known root.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
pub struct KnownRoot {
    /// Its name.
    pub name: &'static str,
    /// SPKI SHA-256, lower-case hex.
    pub spki_sha256: &'static str,
    /// Whether AWS IoT's ATS endpoints chain to it today.
    pub ats: bool,
}

/// Amazon's roots and the Starfield root that cross-signs them.
pub const AMAZON_ROOTS: &[KnownRoot] = &[
    KnownRoot {
        name: "Amazon Root CA 1",
        spki_sha256: "fbe3018031f9586bcbf41727e417b7d1c45c2f47f93be372a17b96b50757d5a2",
        ats: true,
    },
    KnownRoot {
        name: "Amazon Root CA 2",
        spki_sha256: "7f4296fc5b6a4e3b35d3c369623e364ab1af381d8fa7121533c9d6c633ea2461",
        ats: false,
    },
    KnownRoot {
        name: "Amazon Root CA 3",
        spki_sha256: "36abc32656acfc645c61b71613c4bf21c787f5cabbee48348d58597803d7abc9",
        ats: true,
    },
    KnownRoot {
        name: "Amazon Root CA 4",
        spki_sha256: "f7ecded5c66047d28ed6466b543c40e0743abe81d109254dcf845d4c2c7853c5",
        ats: false,
    },
    KnownRoot {
        name: "Starfield Services Root CA G2",
        spki_sha256: "2b071c59a0a0ae76b0eadb2bad23bad4580b69c3601b630c2eaf0613afa83f92",
        ats: true,
    },
];

/// Look a root up by its SPKI fingerprint.
pub fn recognise(spki_sha256: &str) -> Option<&'static KnownRoot> {
    AMAZON_ROOTS.iter().find(|r| r.spki_sha256 == spki_sha256)
}

/// The legacy Symantec/VeriSign root of the old (non-ATS) endpoints, by subject.
pub fn is_legacy_verisign(subject: &str) -> bool {
    subject.contains("VeriSign Class 3 Public Primary Certification Authority - G5")
}

/// Amazon Root CA 1 (RSA), shipped in `assets/ca`.
pub const AMAZON_ROOT_CA_1_PEM: &str = include_str!("../../../assets/ca/AmazonRootCA1.pem");
/// Amazon Root CA 3 (EC P-256), shipped in `assets/ca`.
pub const AMAZON_ROOT_CA_3_PEM: &str = include_str!("../../../assets/ca/AmazonRootCA3.pem");

/// The bundled roots, as (name, PEM), in the order the board should try them.
pub const BUNDLED: [(&str, &str); 2] = [
    ("Amazon Root CA 1", AMAZON_ROOT_CA_1_PEM),
    ("Amazon Root CA 3", AMAZON_ROOT_CA_3_PEM),
];
