//! Secret tokens (sessions, API keys, e-mail links): random, shown once, stored as SHA-256.

use base64::Engine as _;
use rand::Rng as _;
use sha2::{Digest, Sha256};

/// What a token is for, visible in its prefix so a leaked one can be recognised.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TokenKind {
    Session,
    ApiKey,
    Email,
}

impl TokenKind {
    pub fn prefix(self) -> &'static str {
        match self {
            Self::Session => "rfs_",
            Self::ApiKey => "rfk_",
            Self::Email => "rfe_",
        }
    }

    pub fn of(token: &str) -> Option<Self> {
        [Self::Session, Self::ApiKey, Self::Email]
            .into_iter()
            .find(|k| token.starts_with(k.prefix()))
    }
}

/// A new token: the prefix and 256 random bits.
pub fn generate(kind: TokenKind) -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    format!(
        "{}{}",
        kind.prefix(),
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
    )
}

/// What is stored: tokens carry 256 bits of entropy, so a fast hash is enough.
pub fn hash(token: &str) -> String {
    let digest = Sha256::digest(token.as_bytes());
    let mut out = String::with_capacity(64);
    for b in digest.iter() {
        out.push_str(&format!("{b:02x}"));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_distinct_prefixed_and_hash_to_64_hex() {
        let a = generate(TokenKind::Session);
        let b = generate(TokenKind::Session);
        assert_ne!(a, b);
        assert!(a.starts_with("rfs_") && a.len() == 4 + 43, "{a}");
        assert_eq!(TokenKind::of(&a), Some(TokenKind::Session));
        assert_eq!(hash(&a).len(), 64);
        assert_eq!(hash(&a), hash(&a));
        assert_ne!(hash(&a), hash(&b));
    }
}
