//! The one way mail leaves rubfang (verification, password reset, notifications): SMTP when
//! configured, otherwise the log. Recent messages are kept in memory either way, so an operator
//! without SMTP (and the tests) can see what would have been sent.

use std::{
    collections::VecDeque,
    sync::{Arc, Mutex},
};

use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor, message::Mailbox};
use secrecy::ExposeSecret;

use crate::{
    config::MailConfig,
    error::{AppError, AppResult},
};

/// How many sent messages are remembered.
const RECENT: usize = 100;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Mail {
    pub to: String,
    pub subject: String,
    pub body: String,
}

enum Transport {
    Smtp(AsyncSmtpTransport<Tokio1Executor>),
    Log,
}

pub struct Mailer {
    transport: Transport,
    from: Mailbox,
    recent: Mutex<VecDeque<Mail>>,
}

impl Mailer {
    pub fn new(config: &MailConfig) -> AppResult<Self> {
        let from: Mailbox = config.from.parse().map_err(|e| {
            AppError::validation(
                "mail-from",
                format!("`{}` is not a mailbox: {e}", config.from),
            )
        })?;
        let transport = match &config.smtp_url {
            Some(url) => Transport::Smtp(
                AsyncSmtpTransport::<Tokio1Executor>::from_url(url.expose_secret())
                    .map_err(|e| {
                        AppError::validation("smtp-url", format!("the SMTP URL is not usable: {e}"))
                    })?
                    .build(),
            ),
            None => Transport::Log,
        };
        Ok(Self {
            transport,
            from,
            recent: Mutex::new(VecDeque::new()),
        })
    }

    pub fn is_smtp(&self) -> bool {
        matches!(self.transport, Transport::Smtp(_))
    }

    /// Queues one message and returns at once: the request does not wait on the mail server,
    /// and how long it takes does not tell whether an address has an account. Failures are
    /// logged. Callers dispatch after their transaction has committed.
    pub fn dispatch(self: &Arc<Self>, mail: Mail) {
        self.remember(&mail);
        let mailer = self.clone();
        tokio::spawn(async move {
            if let Err(e) = mailer.deliver(mail).await {
                tracing::warn!(error = %e, "mail not delivered");
            }
        });
    }

    /// Queues many messages (a notice to followers), sent one after another by one task.
    pub fn dispatch_all(self: &Arc<Self>, mails: Vec<Mail>) {
        for mail in &mails {
            self.remember(mail);
        }
        let mailer = self.clone();
        tokio::spawn(async move {
            for mail in mails {
                if let Err(e) = mailer.deliver(mail).await {
                    tracing::warn!(error = %e, "mail not delivered");
                }
            }
        });
    }

    fn remember(&self, mail: &Mail) {
        if let Ok(mut recent) = self.recent.lock() {
            if recent.len() == RECENT {
                recent.pop_front();
            }
            recent.push_back(mail.clone());
        }
    }

    async fn deliver(&self, mail: Mail) -> AppResult<()> {
        match &self.transport {
            Transport::Log => {
                // Bodies carry one-time tokens: only at debug level, which an operator turns on
                // deliberately (`RUBFANG_LOG=rubfang_api::mailer=debug`) to read them.
                tracing::info!(to = %mail.to, subject = %mail.subject, "mail written to the log (no SMTP configured)");
                tracing::debug!(to = %mail.to, body = %mail.body, "mail body");
                Ok(())
            }
            Transport::Smtp(smtp) => {
                let to: Mailbox = mail.to.parse().map_err(|e| {
                    AppError::validation("email", format!("`{}` is not a mailbox: {e}", mail.to))
                })?;
                let message = Message::builder()
                    .from(self.from.clone())
                    .to(to)
                    .subject(mail.subject)
                    .body(mail.body)
                    .map_err(AppError::internal)?;
                smtp.send(message).await.map_err(|e| {
                    tracing::warn!(error = %e, "sending mail failed");
                    AppError::internal(e)
                })?;
                Ok(())
            }
        }
    }

    /// The most recent messages, oldest first.
    pub fn recent(&self) -> Vec<Mail> {
        self.recent
            .lock()
            .map(|r| r.iter().cloned().collect())
            .unwrap_or_default()
    }
}
