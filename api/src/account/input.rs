//! Account inputs parsed at the edge: an e-mail address, a password, a display name.

use crate::{error::AppError, sanitize};

/// A lower-cased e-mail address of a plausible shape. (Whether it exists is what verification
/// tells.)
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Email(String);

impl Email {
    pub fn parse(raw: &str) -> Result<Self, AppError> {
        let email = raw.trim().to_lowercase();
        let bad = |why: &str| AppError::validation("email", format!("`{raw}` {why}"));
        if email.is_empty() {
            return Err(AppError::validation("email", "the e-mail address is empty"));
        }
        if email.chars().count() > 254 {
            return Err(bad("is longer than 254 characters"));
        }
        if email.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(bad("contains spaces or control characters"));
        }
        let Some((local, domain)) = email.rsplit_once('@') else {
            return Err(bad("is not an e-mail address (no @)"));
        };
        if local.is_empty() || local.contains('@') {
            return Err(bad("is not an e-mail address"));
        }
        if !domain.contains('.')
            || domain.starts_with('.')
            || domain.ends_with('.')
            || domain.contains("..")
        {
            return Err(bad("has no valid domain after the @"));
        }
        Ok(Self(email))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn local_part(&self) -> &str {
        self.0.split('@').next().unwrap_or(&self.0)
    }
}

/// A password good enough to keep: long enough, not the e-mail address.
pub struct Password(String);

impl Password {
    pub const MIN_CHARS: usize = 10;
    pub const MAX_CHARS: usize = 256;

    pub fn parse(raw: &str, email: &Email) -> Result<Self, AppError> {
        let field = "password";
        let chars = raw.chars().count();
        if chars < Self::MIN_CHARS {
            return Err(AppError::validation(
                field,
                format!(
                    "the password must be at least {} characters long; this one has {chars}",
                    Self::MIN_CHARS
                ),
            ));
        }
        if chars > Self::MAX_CHARS {
            return Err(AppError::validation(
                field,
                format!(
                    "the password may be at most {} characters long",
                    Self::MAX_CHARS
                ),
            ));
        }
        let folded = raw.trim().to_lowercase();
        if folded == email.as_str() || folded == email.local_part() {
            return Err(AppError::validation(
                field,
                "the password must not be your e-mail address",
            ));
        }
        if raw.chars().all(|c| c == raw.chars().next().unwrap_or(c)) {
            return Err(AppError::validation(
                field,
                "the password must not be one character repeated",
            ));
        }
        Ok(Self(raw.to_owned()))
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

/// The name shown with comments when the author does not choose the pseudonym.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DisplayName(String);

impl DisplayName {
    pub const MAX_CHARS: usize = 100;

    pub fn parse(raw: &str) -> Result<Self, AppError> {
        sanitize::plain_text(raw, Self::MAX_CHARS)
            .map(Self)
            .map_err(|e| AppError::validation("displayName", format!("display name: {e}")))
    }

    pub fn into_inner(self) -> String {
        self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn email(s: &str) -> Email {
        Email::parse(s).unwrap()
    }

    #[test]
    fn email_is_trimmed_and_lower_cased() {
        assert_eq!(
            email("  Somchai@Example.CO.TH ").as_str(),
            "somchai@example.co.th"
        );
    }

    #[test]
    fn malformed_emails_are_refused_naming_the_field() {
        for bad in [
            "",
            "no-at-sign",
            "@example.com",
            "a@b",
            "a@.com",
            "a b@example.com",
            "a@example..com",
        ] {
            match Email::parse(bad) {
                Err(AppError::Validation { field, .. }) => assert_eq!(field, "email", "{bad}"),
                other => panic!("{bad}: {other:?}"),
            }
        }
    }

    #[test]
    fn short_passwords_are_refused_with_the_minimum() {
        let err = Password::parse("short", &email("a@example.com"))
            .err()
            .unwrap();
        assert!(err.to_string().contains("at least 10"), "{err}");
    }

    #[test]
    fn password_equal_to_the_email_is_refused() {
        let e = email("somchai.jaidee@example.com");
        assert!(Password::parse("Somchai.Jaidee@example.com", &e).is_err());
        assert!(Password::parse("somchai.jaidee", &e).is_err());
        assert!(Password::parse("aaaaaaaaaaaa", &e).is_err());
        assert!(Password::parse("ม้าลายวิ่งเร็วมาก", &e).is_ok());
    }

    #[test]
    fn thai_password_length_counts_characters_not_bytes() {
        // 9 Thai characters are 27 bytes: still too short.
        assert!(Password::parse("กขคฆงจฉชซ", &email("a@example.com")).is_err());
    }

    #[test]
    fn display_name_is_plain_text() {
        assert_eq!(
            DisplayName::parse("  สมชาย <b>ใจดี</b> ")
                .unwrap()
                .into_inner(),
            "สมชาย <b>ใจดี</b>"
        );
        assert!(DisplayName::parse("   ").is_err());
    }
}
