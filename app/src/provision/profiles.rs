//! The AWS profiles and their regions, read from `~/.aws/config` and
//! `~/.aws/credentials` (or `AWS_CONFIG_FILE` / `AWS_SHARED_CREDENTIALS_FILE`), for the
//! profile and region pickers. Only names and regions are read; secrets are skipped.

use std::path::PathBuf;

/// A profile and the region it names, if any.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Profile {
    /// Profile name (`default` for the default).
    pub name: String,
    /// Its `region`, when set.
    pub region: Option<String>,
}

fn home() -> Option<PathBuf> {
    std::env::var_os("HOME")
        .or_else(|| std::env::var_os("USERPROFILE"))
        .map(PathBuf::from)
}

fn parse(text: &str, config_style: bool, out: &mut Vec<Profile>) {
    let mut current: Option<usize> = None;
    for line in text.lines().map(str::trim) {
        if line.starts_with('#') || line.starts_with(';') || line.is_empty() {
            continue;
        }
        if let Some(section) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
            let section = section.trim();
            let name = if config_style {
                match section.strip_prefix("profile ") {
                    Some(n) => n.trim(),
                    None if section == "default" => "default",
                    None => {
                        current = None; // sso-session and other sections
                        continue;
                    }
                }
            } else {
                section
            };
            current = Some(match out.iter().position(|p| p.name == name) {
                Some(i) => i,
                None => {
                    out.push(Profile {
                        name: name.to_string(),
                        region: None,
                    });
                    out.len() - 1
                }
            });
            continue;
        }
        if let (Some(i), Some((k, v))) = (current, line.split_once('='))
            && k.trim() == "region"
        {
            out[i].region = Some(v.trim().to_string());
        }
    }
}

/// Every profile found, `default` first.
pub fn list() -> Vec<Profile> {
    let mut out = Vec::new();
    let config = std::env::var_os("AWS_CONFIG_FILE")
        .map(PathBuf::from)
        .or_else(|| home().map(|h| h.join(".aws/config")));
    let creds = std::env::var_os("AWS_SHARED_CREDENTIALS_FILE")
        .map(PathBuf::from)
        .or_else(|| home().map(|h| h.join(".aws/credentials")));
    if let Some(text) = config.and_then(|p| std::fs::read_to_string(p).ok()) {
        parse(&text, true, &mut out);
    }
    if let Some(text) = creds.and_then(|p| std::fs::read_to_string(p).ok()) {
        parse(&text, false, &mut out);
    }
    out.sort_by_key(|p| (p.name != "default", p.name.clone()));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn config_and_credentials_merge() {
        let mut out = Vec::new();
        parse(
            "[default]\nregion = eu-west-1\n[profile work]\nsso_session = s\nregion=us-east-1\n[sso-session s]\nregion = x\n",
            true,
            &mut out,
        );
        parse(
            "[default]\naws_access_key_id = AKIA\n[lab]\naws_secret_access_key = nope\n",
            false,
            &mut out,
        );
        assert_eq!(
            out,
            [
                Profile {
                    name: "default".into(),
                    region: Some("eu-west-1".into())
                },
                Profile {
                    name: "work".into(),
                    region: Some("us-east-1".into())
                },
                Profile {
                    name: "lab".into(),
                    region: None
                },
            ]
        );
    }
}
