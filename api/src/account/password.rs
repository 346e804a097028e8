//! Password hashing with argon2id (the crate's default parameters), off the async threads.

use argon2::{
    Argon2,
    password_hash::{PasswordHasher, PasswordVerifier, phc::PasswordHash},
};

use crate::error::{AppError, AppResult};

/// Hashes a password to a PHC string (`$argon2id$v=19$...`), salt included.
pub async fn hash(password: String) -> AppResult<String> {
    tokio::task::spawn_blocking(move || {
        Argon2::default()
            .hash_password(password.as_bytes())
            .map(|h| h.to_string())
            .map_err(|e| AppError::internal(format!("hashing a password: {e}")))
    })
    .await
    .map_err(AppError::internal)?
}

/// True when `password` matches the stored hash. A malformed stored hash is an internal error.
pub async fn verify(password: String, stored: String) -> AppResult<bool> {
    tokio::task::spawn_blocking(move || {
        let parsed = PasswordHash::new(&stored)
            .map_err(|e| AppError::internal(format!("stored password hash: {e}")))?;
        Ok(Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok())
    })
    .await
    .map_err(AppError::internal)?
}

/// A hash of no one's password, verified against when the e-mail is unknown so that a login
/// for an unknown address takes as long as one for a known address.
pub async fn dummy_hash() -> AppResult<&'static str> {
    static DUMMY: tokio::sync::OnceCell<String> = tokio::sync::OnceCell::const_new();
    DUMMY
        .get_or_try_init(|| hash("rubfang-timing-equaliser".into()))
        .await
        .map(String::as_str)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_hash_verifies_its_password_only() {
        let h = hash("ม้าลายวิ่งเร็วมาก".into()).await.unwrap();
        assert!(h.starts_with("$argon2id$"), "{h}");
        assert!(verify("ม้าลายวิ่งเร็วมาก".into(), h.clone()).await.unwrap());
        assert!(!verify("ม้าลายวิ่งช้ามาก".into(), h).await.unwrap());
    }
}
