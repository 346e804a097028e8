//! URL slugs: lower-case ASCII letters, digits and single hyphens, so every link is stable and
//! readable in any script.

use crate::error::{AppError, AppResult};

const MAX_LEN: usize = 100;

pub fn parse(raw: &str, field: &str) -> AppResult<String> {
    let slug = raw.trim();
    let ok_chars = slug
        .chars()
        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
    if slug.is_empty()
        || slug.len() > MAX_LEN
        || !ok_chars
        || slug.starts_with('-')
        || slug.ends_with('-')
        || slug.contains("--")
    {
        return Err(AppError::validation(
            field,
            format!(
                "`{raw}` is not a valid slug: use 1 to {MAX_LEN} lower-case letters a-z, digits \
                 and single hyphens, e.g. `cycling-act-2569`"
            ),
        ));
    }
    Ok(slug.to_owned())
}

#[cfg(test)]
mod tests {
    use super::parse;

    #[test]
    fn slugs_are_lower_case_ascii_with_single_hyphens() {
        assert_eq!(parse(" act-2540 ", "slug").unwrap(), "act-2540");
        for bad in [
            "",
            "Act",
            "act--1",
            "-act",
            "act-",
            "พรบ",
            "a b",
            &"a".repeat(101),
        ] {
            assert!(parse(bad, "slug").is_err(), "{bad}");
        }
    }
}
