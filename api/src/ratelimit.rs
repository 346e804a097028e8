//! Rate limits: a named set of limited actions, each with a quota, a burst and a config key;
//! keyed by client address (IPv6 by /64) and by account. Quotas are written as
//! `"<count>/<unit>[:<burst>]"` (e.g. `"60/m:20"`) and can be overridden per action through
//! the environment variable named by [`LimitedAction::config_key`].
//!
//! IPv6 addresses are reduced to their /64 because a single customer line or host usually owns a
//! whole /64 and can rotate through it for free; keying by the full address would hand an
//! attacker 2^64 fresh budgets. IPv4 addresses are kept whole: NAT already makes them shared.
//!
//! The client address is taken from `X-Forwarded-For` only when the TCP peer is one of the
//! configured trusted proxies, and then only the part of the header our own proxies wrote
//! (see [`client_addr`]); everything else in that header is chosen by the client.
//!
//! These limits are held in memory by `governor` and therefore hold **per instance**: with N API
//! instances behind a load balancer a client may get up to N times the quota. That is fine for
//! their purpose, which is shedding floods cheaply before they reach the database. Quotas that
//! must hold across instances (e.g. how many answers an account may submit to a consultation)
//! are enforced from the database elsewhere, not here.

use std::collections::HashMap;
use std::fmt;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddrV4};
use std::num::NonZeroU32;
use std::time::Duration;

use governor::DefaultKeyedRateLimiter;

/// Something a client can do that we limit.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum LimitedAction {
    GraphqlRequest,
    Comment,
    Answer,
    Register,
    Login,
    Flag,
    Export,
    /// GraphQL requests made with a researcher's API key, per key's account: a higher quota.
    ApiKeyRequest,
    /// Search queries: each costs the engine far more than a read by id.
    Search,
}

impl LimitedAction {
    /// Every action, in declaration order (the order is relied on for array indexing).
    pub const ALL: [LimitedAction; 9] = [
        LimitedAction::GraphqlRequest,
        LimitedAction::Comment,
        LimitedAction::Answer,
        LimitedAction::Register,
        LimitedAction::Login,
        LimitedAction::Flag,
        LimitedAction::Export,
        LimitedAction::ApiKeyRequest,
        LimitedAction::Search,
    ];

    /// Stable snake_case name, for logs and metrics labels.
    pub fn name(self) -> &'static str {
        match self {
            LimitedAction::GraphqlRequest => "graphql_request",
            LimitedAction::Comment => "comment",
            LimitedAction::Answer => "answer",
            LimitedAction::Register => "register",
            LimitedAction::Login => "login",
            LimitedAction::Flag => "flag",
            LimitedAction::Export => "export",
            LimitedAction::ApiKeyRequest => "api_key_request",
            LimitedAction::Search => "search",
        }
    }

    /// Environment variable that overrides this action's quota.
    pub fn config_key(self) -> &'static str {
        match self {
            LimitedAction::GraphqlRequest => "RUBFANG_RATE_GRAPHQL_REQUEST",
            LimitedAction::Comment => "RUBFANG_RATE_COMMENT",
            LimitedAction::Answer => "RUBFANG_RATE_ANSWER",
            LimitedAction::Register => "RUBFANG_RATE_REGISTER",
            LimitedAction::Login => "RUBFANG_RATE_LOGIN",
            LimitedAction::Flag => "RUBFANG_RATE_FLAG",
            LimitedAction::Export => "RUBFANG_RATE_EXPORT",
            LimitedAction::ApiKeyRequest => "RUBFANG_RATE_API_KEY_REQUEST",
            LimitedAction::Search => "RUBFANG_RATE_SEARCH",
        }
    }

    /// Production defaults, per key (each address /64 and each account gets its own budget).
    pub fn default_quota(self) -> Quota {
        // Written out as values rather than parsed strings so no fallible path exists at runtime;
        // a test checks they print as the documented strings.
        let (count, period, burst) = match self {
            // Pages issue several queries at once, hence the sizeable burst.
            LimitedAction::GraphqlRequest => (600, MINUTE, 120),
            LimitedAction::Comment => (30, HOUR, 10),
            // Answering a questionnaire is many small mutations in quick succession.
            LimitedAction::Answer => (120, HOUR, 60),
            LimitedAction::Register => (5, HOUR, 5),
            // Password guessing: allow a few typos, then slow down hard.
            LimitedAction::Login => (20, HOUR, 10),
            LimitedAction::Flag => (30, HOUR, 10),
            // Exports are expensive to build.
            LimitedAction::Export => (10, HOUR, 3),
            // Researchers pulling data: ten times the anonymous budget.
            LimitedAction::ApiKeyRequest => (6000, MINUTE, 600),
            // Search-as-you-type sends a query per pause in typing.
            LimitedAction::Search => (120, MINUTE, 30),
        };
        Quota {
            count,
            period,
            burst,
        }
    }

    fn index(self) -> usize {
        self as usize
    }
}

impl fmt::Display for LimitedAction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

const SECOND: Duration = Duration::from_secs(1);
const MINUTE: Duration = Duration::from_secs(60);
const HOUR: Duration = Duration::from_secs(60 * 60);
const DAY: Duration = Duration::from_secs(24 * 60 * 60);

/// governor keeps times as u64 nanoseconds and panics or wraps if a quota's full-burst refill
/// time gets near that range, so quotas beyond this are refused by [`Quota::parse`] and clamped
/// when built by hand.
const MAX_REFILL_NANOS: u128 = 100 * 366 * 24 * 60 * 60 * 1_000_000_000;

/// Far above anything a single instance can serve, so it never triggers.
const UNLIMITED: Quota = Quota {
    count: u32::MAX,
    period: SECOND,
    burst: u32::MAX,
};

const EXPECTED_QUOTA: &str = "\"<count>/<unit>[:<burst>]\" with unit s, m, h or d \
     (optionally with a multiplier, like 15m), e.g. \"60/m:20\" or \"10/h\"";

/// A quota: `count` per `period`, with `burst` allowed at once.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Quota {
    pub count: u32,
    pub period: Duration,
    pub burst: u32,
}

/// Why a quota string was refused. Every message quotes the input and the expected form, since
/// it usually ends up in a startup log next to the config key.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum QuotaParseError {
    #[error("empty rate limit quota; expected {expected}", expected = EXPECTED_QUOTA)]
    Empty,
    #[error("rate limit quota {input:?} has no '/'; expected {expected}", expected = EXPECTED_QUOTA)]
    MissingSlash { input: String },
    #[error(
        "rate limit quota {input:?}: count {count:?} is not a whole number; expected {expected}",
        expected = EXPECTED_QUOTA
    )]
    BadCount { input: String, count: String },
    #[error(
        "rate limit quota {input:?}: count must be at least 1; expected {expected}",
        expected = EXPECTED_QUOTA
    )]
    ZeroCount { input: String },
    #[error(
        "rate limit quota {input:?}: unknown unit {unit:?}; expected {expected}",
        expected = EXPECTED_QUOTA
    )]
    BadUnit { input: String, unit: String },
    #[error(
        "rate limit quota {input:?}: period must be longer than zero; expected {expected}",
        expected = EXPECTED_QUOTA
    )]
    ZeroPeriod { input: String },
    #[error(
        "rate limit quota {input:?}: burst {burst:?} is not a whole number; expected {expected}",
        expected = EXPECTED_QUOTA
    )]
    BadBurst { input: String, burst: String },
    #[error(
        "rate limit quota {input:?}: burst must be at least 1; expected {expected}",
        expected = EXPECTED_QUOTA
    )]
    ZeroBurst { input: String },
    #[error(
        "rate limit quota {input:?}: refilling a full burst would take over 100 years; \
         expected {expected}",
        expected = EXPECTED_QUOTA
    )]
    TooSlow { input: String },
}

impl Quota {
    /// Parses `"<count>/<unit>[:<burst>]"` where unit is s, m, h or d (also "sec", "min",
    /// "hour", "day", plural forms, or "ms"), optionally prefixed by a multiplier ("10/15m:10").
    /// `burst` defaults to `count`. Surrounding whitespace is ignored because values come from
    /// environment files where stray spaces are common.
    pub fn parse(s: &str) -> Result<Quota, QuotaParseError> {
        let input = s.trim();
        if input.is_empty() {
            return Err(QuotaParseError::Empty);
        }
        let owned = || input.to_owned();
        let (count_s, rest) = input
            .split_once('/')
            .ok_or_else(|| QuotaParseError::MissingSlash { input: owned() })?;
        let (unit_s, burst_s) = match rest.split_once(':') {
            Some((unit, burst)) => (unit, Some(burst)),
            None => (rest, None),
        };

        let count_s = count_s.trim();
        let count = parse_u32(count_s).ok_or_else(|| QuotaParseError::BadCount {
            input: owned(),
            count: count_s.to_owned(),
        })?;
        if count == 0 {
            return Err(QuotaParseError::ZeroCount { input: owned() });
        }

        let period = parse_period(unit_s.trim(), input)?;

        let burst = match burst_s {
            None => count,
            Some(b) => {
                let b = b.trim();
                parse_u32(b).ok_or_else(|| QuotaParseError::BadBurst {
                    input: owned(),
                    burst: b.to_owned(),
                })?
            }
        };
        if burst == 0 {
            return Err(QuotaParseError::ZeroBurst { input: owned() });
        }

        let quota = Quota {
            count,
            period,
            burst,
        };
        if quota.cell_nanos().saturating_mul(u128::from(burst)) > MAX_REFILL_NANOS {
            return Err(QuotaParseError::TooSlow { input: owned() });
        }
        Ok(quota)
    }

    /// Time to earn back one cell, as governor models it (never zero).
    fn cell_nanos(self) -> u128 {
        (self.period.as_nanos() / u128::from(self.count.max(1))).max(1)
    }
}

/// Accepts only plain ASCII digits: `u32::from_str` would also take a leading '+', which we
/// don't want to document as part of the grammar.
fn parse_u32(s: &str) -> Option<u32> {
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

fn parse_period(unit: &str, input: &str) -> Result<Duration, QuotaParseError> {
    let bad_unit = || QuotaParseError::BadUnit {
        input: input.to_owned(),
        unit: unit.to_owned(),
    };
    let digits = unit.bytes().take_while(u8::is_ascii_digit).count();
    let (mult_s, name) = unit.split_at(digits);
    let multiplier: u64 = if mult_s.is_empty() {
        1
    } else {
        mult_s.parse().map_err(|_| bad_unit())?
    };
    let base = match name.trim().to_ascii_lowercase().as_str() {
        "ms" => Duration::from_millis(1),
        "s" | "sec" | "secs" | "second" | "seconds" => SECOND,
        "m" | "min" | "mins" | "minute" | "minutes" => MINUTE,
        "h" | "hour" | "hours" => HOUR,
        "d" | "day" | "days" => DAY,
        _ => return Err(bad_unit()),
    };
    let nanos = base.as_nanos().checked_mul(u128::from(multiplier));
    match nanos {
        Some(0) => Err(QuotaParseError::ZeroPeriod {
            input: input.to_owned(),
        }),
        Some(n) if n <= MAX_REFILL_NANOS => Ok(nanos_to_duration(n)),
        // A period this long is refused by the refill check anyway; report it as such.
        _ => Err(QuotaParseError::TooSlow {
            input: input.to_owned(),
        }),
    }
}

/// Saturates instead of failing: callers have already bounded `n` by MAX_REFILL_NANOS, which
/// fits in u64.
fn nanos_to_duration(n: u128) -> Duration {
    Duration::from_nanos(u64::try_from(n).unwrap_or(u64::MAX))
}

impl fmt::Display for Quota {
    /// Prints the canonical form: the largest unit that divides the period exactly, and the burst
    /// only when it differs from the count, so `"60/60m:60"` prints as `"60/h"`. Parses back to
    /// an equal `Quota` for every period that is a whole number of milliseconds (everything
    /// `parse` produces); finer periods can only be built by hand and are truncated to ms.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/", self.count)?;
        let ms = self.period.as_millis();
        let units: [(u128, &str); 5] = [
            (DAY.as_millis(), "d"),
            (HOUR.as_millis(), "h"),
            (MINUTE.as_millis(), "m"),
            (SECOND.as_millis(), "s"),
            (1, "ms"),
        ];
        let (size, unit) = units
            .into_iter()
            .find(|(size, _)| ms != 0 && ms.is_multiple_of(*size))
            .unwrap_or((1, "ms"));
        let mult = ms / size;
        if mult != 1 {
            write!(f, "{mult}")?;
        }
        f.write_str(unit)?;
        if self.burst != self.count {
            write!(f, ":{}", self.burst)?;
        }
        Ok(())
    }
}

/// Quotas per action plus the proxies whose `X-Forwarded-For` we believe.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RateLimitConfig {
    /// Indexed by `LimitedAction as usize`, so every action always has a quota.
    quotas: [Quota; LimitedAction::ALL.len()],
    pub trusted_proxies: Vec<TrustedProxy>,
}

impl RateLimitConfig {
    pub fn quota(&self, a: LimitedAction) -> Quota {
        self.quotas[a.index()]
    }

    pub fn set(&mut self, a: LimitedAction, q: Quota) {
        self.quotas[a.index()] = q;
    }

    /// Disables every limit (for benchmarks): a quota so large it never triggers.
    pub fn unlimited() -> Self {
        RateLimitConfig {
            quotas: [UNLIMITED; LimitedAction::ALL.len()],
            trusted_proxies: Vec::new(),
        }
    }
}

impl Default for RateLimitConfig {
    fn default() -> Self {
        RateLimitConfig {
            quotas: LimitedAction::ALL.map(LimitedAction::default_quota),
            trusted_proxies: Vec::new(),
        }
    }
}

/// Who is asking: the client address (IPv6 reduced to its /64, IPv4 whole) and the account if
/// logged in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum LimitKey {
    /// Already masked; build it with [`LimitKey::address`].
    Address(IpAddr),
    Account(i64),
}

impl LimitKey {
    /// Masks IPv6 to its /64 and maps v4-mapped IPv6 (`::ffff:a.b.c.d`, what a dual-stack socket
    /// reports for IPv4 clients) to plain IPv4, so one client has one key whichever way it came.
    pub fn address(ip: IpAddr) -> LimitKey {
        match ip.to_canonical() {
            IpAddr::V4(v4) => LimitKey::Address(IpAddr::V4(v4)),
            IpAddr::V6(v6) => {
                let masked = v6.to_bits() & !u128::from(u64::MAX);
                LimitKey::Address(IpAddr::V6(Ipv6Addr::from_bits(masked)))
            }
        }
    }

    fn is_account(&self) -> bool {
        matches!(self, LimitKey::Account(_))
    }
}

struct ActionLimiter {
    quota: Quota,
    /// What governor actually enforces after clamping; `n` above it must never reach governor,
    /// whose capacity check multiplies before comparing and could overflow.
    burst: NonZeroU32,
    /// Skips governor entirely so benchmarks don't pay for (or fill memory with) key state.
    unlimited: bool,
    limiter: DefaultKeyedRateLimiter<LimitKey>,
}

impl ActionLimiter {
    fn new(quota: Quota) -> Self {
        // Hand-built quotas may hold zeros or absurd periods; clamp instead of failing because
        // `RateLimiter::new` is infallible and a too-strict limit beats a panic.
        let cell = quota.cell_nanos().min(MAX_REFILL_NANOS);
        let max_burst = u32::try_from(MAX_REFILL_NANOS / cell).unwrap_or(u32::MAX);
        let burst =
            NonZeroU32::new(quota.burst.clamp(1, max_burst.max(1))).unwrap_or(NonZeroU32::MIN);
        let cell = nanos_to_duration(cell);
        let gq = governor::Quota::with_period(cell)
            .unwrap_or_else(|| governor::Quota::per_second(NonZeroU32::MAX))
            .allow_burst(burst);
        ActionLimiter {
            quota,
            burst,
            unlimited: quota == UNLIMITED,
            limiter: DefaultKeyedRateLimiter::keyed(gq),
        }
    }
}

/// One keyed limiter per action. Cheap to share: wrap it in an `Arc` (it is `Send + Sync`).
pub struct RateLimiter {
    actions: [ActionLimiter; LimitedAction::ALL.len()],
}

impl RateLimiter {
    pub fn new(config: &RateLimitConfig) -> Self {
        RateLimiter {
            actions: config.quotas.map(ActionLimiter::new),
        }
    }

    /// Takes `n` cells for this action from every key given (address and, if present, account).
    /// Duplicate keys are charged once. `n = 0` is always `Ok`.
    ///
    /// On refusal returns `Err(retry_after)`: how long until the refusing key could take `n`
    /// cells. If `n` exceeds the burst the request can never pass; that returns the quota
    /// period (the best hint we have) and charges nothing.
    ///
    /// governor cannot refund cells, so charging several keys cannot be atomic. Account keys
    /// are charged before address keys, in that order regardless of the slice order, and the
    /// first refusal stops the walk:
    /// - an account over its limit costs its address nothing, so a logged-in abuser hammering
    ///   a shared address (office NAT, a university /64) does not drain everyone else's budget;
    /// - if the account passes but the address is over, the account has been charged `n` for a
    ///   refused request. That only hurts the account sitting on the flooded address, and once
    ///   its own budget is gone it stops reaching the address check at all.
    pub fn check(&self, action: LimitedAction, keys: &[LimitKey], n: u32) -> Result<(), Duration> {
        let Some(n) = NonZeroU32::new(n) else {
            return Ok(());
        };
        let al = &self.actions[action.index()];
        if al.unlimited {
            return Ok(());
        }
        if n > al.burst {
            return Err(al.quota.period);
        }
        let accounts = keys.iter().enumerate().filter(|(_, k)| k.is_account());
        let addresses = keys.iter().enumerate().filter(|(_, k)| !k.is_account());
        for (i, key) in accounts.chain(addresses) {
            if keys[..i].contains(key) {
                continue;
            }
            match al.limiter.check_key_n(key, n) {
                Ok(Ok(())) => {}
                Ok(Err(not_until)) => {
                    let now = governor::clock::Clock::now(al.limiter.clock());
                    return Err(not_until.wait_time_from(now));
                }
                // Unreachable given the burst check above, kept total rather than panicking.
                Err(governor::InsufficientCapacity(_)) => return Err(al.quota.period),
            }
        }
        Ok(())
    }

    /// Drops state for keys that are back to full capacity (call periodically), so memory stays
    /// bounded under many addresses. A dropped key is indistinguishable from a new one, so this
    /// never changes a decision.
    pub fn housekeeping(&self) {
        for al in &self.actions {
            al.limiter.retain_recent();
            al.limiter.shrink_to_fit();
        }
    }

    /// Total tracked keys over all actions (a key limited for two actions counts twice).
    pub fn len(&self) -> usize {
        self.actions.iter().map(|al| al.limiter.len()).sum()
    }

    pub fn is_empty(&self) -> bool {
        self.actions.iter().all(|al| al.limiter.is_empty())
    }
}

impl fmt::Debug for RateLimiter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let quotas: HashMap<&str, String> = LimitedAction::ALL
            .iter()
            .map(|a| (a.name(), self.actions[a.index()].quota.to_string()))
            .collect();
        f.debug_struct("RateLimiter")
            .field("quotas", &quotas)
            .field("tracked_keys", &self.len())
            .finish()
    }
}

/// A network our own reverse proxies connect from, e.g. `10.0.0.0/8`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct TrustedProxy {
    net: IpAddr,
    prefix: u8,
}

/// A trusted-proxy entry that could not be parsed; `entry` is the offending list item.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error(
    "trusted proxy entry {entry:?}: {reason}; expected CIDRs separated by commas, \
     e.g. \"10.0.0.0/8,127.0.0.1/32,::1/128\""
)]
pub struct ProxyParseError {
    pub entry: String,
    pub reason: String,
}

impl TrustedProxy {
    /// Parses `"<address>/<prefix>"`, or a bare address meaning a single host. An address with
    /// host bits set ("10.0.0.1/8") is refused rather than masked: in a trust list it is more
    /// likely a typo for /32 than an intent to trust the whole network.
    pub fn parse(s: &str) -> Result<TrustedProxy, ProxyParseError> {
        let entry = s.trim();
        let err = |reason: String| ProxyParseError {
            entry: entry.to_owned(),
            reason,
        };
        let (addr_s, prefix_s) = match entry.split_once('/') {
            Some((a, p)) => (a.trim(), Some(p.trim())),
            None => (entry, None),
        };
        let addr: IpAddr = addr_s
            .parse()
            .map_err(|_| err(format!("{addr_s:?} is not an IP address")))?;
        let max = match addr {
            IpAddr::V4(_) => 32,
            IpAddr::V6(_) => 128,
        };
        let prefix = match prefix_s {
            None => max,
            Some(p) => match parse_u32(p).and_then(|p| u8::try_from(p).ok()) {
                Some(p) if p <= max => p,
                _ => return Err(err(format!("prefix {p:?} is not a number from 0 to {max}"))),
            },
        };
        // Peers are canonicalised before matching, so a v4-mapped entry must be too or it
        // could never match.
        let (addr, prefix) = match addr {
            IpAddr::V6(v6) if prefix >= 96 && v6.to_ipv4_mapped().is_some() => {
                (addr.to_canonical(), prefix - 96)
            }
            _ => (addr, prefix),
        };
        let net = mask(addr, prefix);
        if net != addr {
            return Err(err(format!(
                "host bits are set (the network would be {net}/{prefix})"
            )));
        }
        Ok(TrustedProxy { net, prefix })
    }

    pub fn net(&self) -> IpAddr {
        self.net
    }

    pub fn prefix(&self) -> u8 {
        self.prefix
    }

    /// Whether `ip` lies in this network; v4-mapped IPv6 counts as the IPv4 address.
    pub fn contains(&self, ip: IpAddr) -> bool {
        let ip = ip.to_canonical();
        match (self.net, ip) {
            (IpAddr::V4(_), IpAddr::V4(_)) | (IpAddr::V6(_), IpAddr::V6(_)) => {
                mask(ip, self.prefix) == self.net
            }
            _ => false,
        }
    }
}

impl fmt::Display for TrustedProxy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.net, self.prefix)
    }
}

fn mask(ip: IpAddr, prefix: u8) -> IpAddr {
    match ip {
        IpAddr::V4(v4) => {
            let m = u32::MAX
                .checked_shl(32 - u32::from(prefix.min(32)))
                .unwrap_or(0);
            IpAddr::V4(Ipv4Addr::from_bits(v4.to_bits() & m))
        }
        IpAddr::V6(v6) => {
            let m = u128::MAX
                .checked_shl(128 - u32::from(prefix.min(128)))
                .unwrap_or(0);
            IpAddr::V6(Ipv6Addr::from_bits(v6.to_bits() & m))
        }
    }
}

/// CIDR list of trusted proxies, e.g. `"10.0.0.0/8,127.0.0.1/32,::1/128"`. Whitespace around
/// entries and empty entries are ignored, so an empty string means "trust no proxy".
pub fn parse_trusted_proxies(s: &str) -> Result<Vec<TrustedProxy>, ProxyParseError> {
    s.split(',')
        .map(str::trim)
        .filter(|e| !e.is_empty())
        .map(TrustedProxy::parse)
        .collect()
}

/// The client's address.
///
/// If the TCP peer is not a trusted proxy, it is the client and `X-Forwarded-For` is ignored
/// (anyone can send that header). Otherwise the header is walked from the right: each proxy
/// appends the address it received the request from, so the right end was written by our own
/// proxies and the left end by whoever sent the first request. Entries that are themselves
/// trusted proxies are skipped; the first untrusted one is the client.
///
/// When the walk cannot finish cleanly it returns the nearest valid address seen, i.e. the last
/// trusted hop (possibly the peer itself):
/// - a malformed entry (garbage, "unknown", a bad port) stops the walk, since nothing to its left
///   can be attributed to our proxies. Falling back to the proxy's address lumps such requests
///   together, which over-limits but never lets a client pick its own key;
/// - if every entry is a trusted proxy, the request originated inside our network and the
///   leftmost (farthest) hop is returned.
///
/// `forwarded_for` is the raw header value; several headers may be joined with ','. Entries may
/// carry ports (`1.2.3.4:5678`, `[2001:db8::1]:443`), brackets or quotes. The result is
/// canonical (v4-mapped IPv6 becomes IPv4) but not masked; use [`LimitKey::address`] for that.
pub fn client_addr(peer: IpAddr, forwarded_for: Option<&str>, trusted: &[TrustedProxy]) -> IpAddr {
    let is_trusted = |ip: IpAddr| trusted.iter().any(|t| t.contains(ip));
    let mut nearest = peer.to_canonical();
    if !is_trusted(nearest) {
        return nearest;
    }
    let Some(header) = forwarded_for else {
        return nearest;
    };
    for entry in header.rsplit(',').map(str::trim).filter(|e| !e.is_empty()) {
        let Some(ip) = parse_forwarded_entry(entry) else {
            return nearest;
        };
        if !is_trusted(ip) {
            return ip;
        }
        nearest = ip;
    }
    nearest
}

fn parse_forwarded_entry(entry: &str) -> Option<IpAddr> {
    let s = entry
        .strip_prefix('"')
        .and_then(|r| r.strip_suffix('"'))
        .unwrap_or(entry)
        .trim();
    if let Some(rest) = s.strip_prefix('[') {
        let (inside, after) = rest.split_once(']')?;
        let port_ok = after.is_empty() || after.strip_prefix(':').is_some_and(is_port);
        if !port_ok {
            return None;
        }
        return inside
            .parse::<Ipv6Addr>()
            .ok()
            .map(|v6| IpAddr::V6(v6).to_canonical());
    }
    if let Ok(ip) = s.parse::<IpAddr>() {
        return Some(ip.to_canonical());
    }
    s.parse::<SocketAddrV4>().ok().map(|a| IpAddr::V4(*a.ip()))
}

fn is_port(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) && s.parse::<u16>().is_ok()
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    fn q(s: &str) -> Quota {
        Quota::parse(s).unwrap()
    }

    fn limiter_with(action: LimitedAction, quota: &str) -> RateLimiter {
        let mut config = RateLimitConfig::default();
        config.set(action, q(quota));
        RateLimiter::new(&config)
    }

    fn proxies(s: &str) -> Vec<TrustedProxy> {
        parse_trusted_proxies(s).unwrap()
    }

    // ---- actions and quotas ----

    #[test]
    fn all_lists_every_action_in_declaration_order() {
        for (i, a) in LimitedAction::ALL.iter().enumerate() {
            assert_eq!(a.index(), i, "{a}");
        }
    }

    #[test]
    fn config_keys_are_the_prefixed_upper_case_names() {
        for a in LimitedAction::ALL {
            assert_eq!(
                a.config_key(),
                format!("RUBFANG_RATE_{}", a.name().to_ascii_uppercase())
            );
        }
    }

    #[test]
    fn default_quotas_are_the_documented_ones() {
        let printed: Vec<String> = LimitedAction::ALL
            .iter()
            .map(|a| a.default_quota().to_string())
            .collect();
        assert_eq!(
            printed,
            [
                "600/m:120",
                "30/h:10",
                "120/h:60",
                "5/h",
                "20/h:10",
                "30/h:10",
                "10/h:3",
                "6000/m:600",
                "120/m:30"
            ]
        );
    }

    #[test]
    fn quota_parse_accepts_the_documented_forms() {
        assert_eq!(
            q("60/m:20"),
            Quota {
                count: 60,
                period: MINUTE,
                burst: 20
            }
        );
        assert_eq!(
            q("10/h"),
            Quota {
                count: 10,
                period: HOUR,
                burst: 10
            }
        );
        assert_eq!(
            q("5/s"),
            Quota {
                count: 5,
                period: SECOND,
                burst: 5
            }
        );
        assert_eq!(
            q("7/d:2"),
            Quota {
                count: 7,
                period: DAY,
                burst: 2
            }
        );
        assert_eq!(q("1/sec"), q("1/s"));
        assert_eq!(q("1/min"), q("1/m"));
        assert_eq!(q("1/hour"), q("1/h"));
        assert_eq!(q("1/day"), q("1/d"));
        assert_eq!(q("1/H"), q("1/h"));
    }

    #[test]
    fn quota_parse_accepts_a_multiplier_on_the_unit() {
        assert_eq!(
            q("10/15m:10"),
            Quota {
                count: 10,
                period: Duration::from_secs(15 * 60),
                burst: 10
            }
        );
        assert_eq!(q("100/500ms").period, Duration::from_millis(500));
    }

    #[test]
    fn quota_parse_ignores_surrounding_whitespace() {
        assert_eq!(q(" 60 / m : 20 "), q("60/m:20"));
    }

    #[test]
    fn quota_parse_rejects_empty_input() {
        assert_eq!(Quota::parse(""), Err(QuotaParseError::Empty));
        assert_eq!(Quota::parse("   "), Err(QuotaParseError::Empty));
        assert!(Quota::parse("").unwrap_err().to_string().contains("empty"));
    }

    #[test]
    fn quota_parse_rejects_a_zero_count() {
        assert_eq!(
            Quota::parse("0/m"),
            Err(QuotaParseError::ZeroCount {
                input: "0/m".into()
            })
        );
    }

    #[test]
    fn quota_parse_rejects_a_zero_burst() {
        assert_eq!(
            Quota::parse("10/m:0"),
            Err(QuotaParseError::ZeroBurst {
                input: "10/m:0".into()
            })
        );
    }

    #[test]
    fn quota_parse_rejects_a_zero_period() {
        assert_eq!(
            Quota::parse("10/0m"),
            Err(QuotaParseError::ZeroPeriod {
                input: "10/0m".into()
            })
        );
    }

    #[test]
    fn quota_parse_rejects_an_unknown_unit() {
        assert_eq!(
            Quota::parse("10/w"),
            Err(QuotaParseError::BadUnit {
                input: "10/w".into(),
                unit: "w".into()
            })
        );
        assert!(matches!(
            Quota::parse("10/"),
            Err(QuotaParseError::BadUnit { .. })
        ));
        assert!(matches!(
            Quota::parse("10/15"),
            Err(QuotaParseError::BadUnit { .. })
        ));
    }

    #[test]
    fn quota_parse_rejects_garbage() {
        for bad in [
            "abc", "10", "/m", "-1/m", "+1/m", "1.5/m", "10/m:", "10/m:x", "10/m:5:5",
        ] {
            assert!(Quota::parse(bad).is_err(), "{bad:?} should be refused");
        }
        assert_eq!(
            Quota::parse("99999999999/m"),
            Err(QuotaParseError::BadCount {
                input: "99999999999/m".into(),
                count: "99999999999".into()
            })
        );
    }

    #[test]
    fn quota_parse_rejects_quotas_governor_cannot_represent() {
        assert!(matches!(
            Quota::parse("1/d:4000000000"),
            Err(QuotaParseError::TooSlow { .. })
        ));
        assert!(matches!(
            Quota::parse("1/99999999999999999999d"),
            Err(QuotaParseError::BadUnit { .. })
        ));
        assert!(matches!(
            Quota::parse("1/99999999d"),
            Err(QuotaParseError::TooSlow { .. })
        ));
    }

    #[test]
    fn quota_parse_errors_quote_the_input_and_the_expected_form() {
        for bad in [
            "garbage",
            "0/m",
            "10/m:0",
            "10/fortnight",
            "x/m",
            "10/m:y",
            "10/0s",
        ] {
            let msg = Quota::parse(bad).unwrap_err().to_string();
            assert!(msg.contains(&format!("{bad:?}")), "{msg}");
            assert!(msg.contains("<count>/<unit>[:<burst>]"), "{msg}");
        }
    }

    #[test]
    fn quota_display_round_trips_with_parse() {
        for s in [
            "60/m:20",
            "10/h",
            "5/s",
            "7/d:2",
            "10/15m",
            "10/15m:3",
            "3/90s:1",
            "100/500ms",
        ] {
            let quota = q(s);
            assert_eq!(quota.to_string(), s);
            assert_eq!(q(&quota.to_string()), quota);
        }
        let unlimited = RateLimitConfig::unlimited().quota(LimitedAction::Comment);
        assert_eq!(q(&unlimited.to_string()), unlimited);
    }

    #[test]
    fn quota_display_uses_the_largest_whole_unit() {
        assert_eq!(q("60/60m:60").to_string(), "60/h");
        assert_eq!(q("1/1440m").to_string(), "1/d");
        assert_eq!(q("1/120s:5").to_string(), "1/2m:5");
    }

    #[test]
    fn config_set_overrides_one_action_only() {
        let mut config = RateLimitConfig::default();
        config.set(LimitedAction::Login, q("3/m"));
        assert_eq!(config.quota(LimitedAction::Login), q("3/m"));
        assert_eq!(
            config.quota(LimitedAction::Flag),
            LimitedAction::Flag.default_quota()
        );
        assert!(config.trusted_proxies.is_empty());
    }

    // ---- keys ----

    #[test]
    fn ipv6_addresses_in_the_same_64_share_a_key() {
        let a = LimitKey::address(ip("2001:db8:1:2:aaaa::1"));
        let b = LimitKey::address(ip("2001:db8:1:2:ffff:ffff:ffff:ffff"));
        assert_eq!(a, b);
        assert_eq!(a, LimitKey::Address(ip("2001:db8:1:2::")));
    }

    #[test]
    fn ipv6_addresses_in_different_64s_get_different_keys() {
        let a = LimitKey::address(ip("2001:db8:1:2::1"));
        let b = LimitKey::address(ip("2001:db8:1:3::1"));
        assert_ne!(a, b);
    }

    #[test]
    fn ipv4_addresses_are_kept_whole() {
        assert_ne!(
            LimitKey::address(ip("192.0.2.1")),
            LimitKey::address(ip("192.0.2.2"))
        );
    }

    #[test]
    fn v4_mapped_ipv6_is_keyed_as_ipv4() {
        assert_eq!(
            LimitKey::address(ip("::ffff:192.0.2.7")),
            LimitKey::Address(ip("192.0.2.7"))
        );
        assert_ne!(
            LimitKey::address(ip("::ffff:192.0.2.7")),
            LimitKey::address(ip("::ffff:192.0.2.8"))
        );
    }

    // ---- limiter ----

    #[test]
    fn a_flooding_address_is_cut_off_at_its_quota_while_another_still_passes() {
        let rl = limiter_with(LimitedAction::Comment, "5/h:5");
        let a = LimitKey::address(ip("198.51.100.1"));
        let b = LimitKey::address(ip("198.51.100.2"));
        let accepted = (0..20)
            .filter(|_| rl.check(LimitedAction::Comment, &[a], 1).is_ok())
            .count();
        assert_eq!(accepted, 5);
        assert_eq!(rl.check(LimitedAction::Comment, &[b], 1), Ok(()));
    }

    #[test]
    fn refusals_say_when_to_retry() {
        let rl = limiter_with(LimitedAction::Comment, "5/h:5");
        let a = LimitKey::address(ip("198.51.100.1"));
        for _ in 0..5 {
            rl.check(LimitedAction::Comment, &[a], 1).unwrap();
        }
        let wait = rl.check(LimitedAction::Comment, &[a], 1).unwrap_err();
        // One cell comes back every 12 minutes.
        assert!(
            wait > Duration::from_secs(11 * 60) && wait <= Duration::from_secs(12 * 60),
            "{wait:?}"
        );
    }

    #[test]
    fn actions_have_separate_budgets() {
        let rl = limiter_with(LimitedAction::Comment, "1/h");
        let a = LimitKey::address(ip("198.51.100.1"));
        rl.check(LimitedAction::Comment, &[a], 1).unwrap();
        assert!(rl.check(LimitedAction::Comment, &[a], 1).is_err());
        assert_eq!(rl.check(LimitedAction::Flag, &[a], 1), Ok(()));
    }

    #[test]
    fn an_account_is_limited_independently_of_its_address() {
        let rl = limiter_with(LimitedAction::Comment, "3/h");
        let home = LimitKey::address(ip("198.51.100.1"));
        let cafe = LimitKey::address(ip("203.0.113.9"));
        let acct = LimitKey::Account(42);
        for _ in 0..3 {
            rl.check(LimitedAction::Comment, &[home, acct], 1).unwrap();
        }
        // Moving to another network does not reset the account...
        assert!(rl.check(LimitedAction::Comment, &[cafe, acct], 1).is_err());
        // ...and another account at the same exhausted address is refused by the address.
        assert!(
            rl.check(LimitedAction::Comment, &[home, LimitKey::Account(7)], 1)
                .is_err()
        );
        // The address of the refused account is still untouched.
        assert_eq!(rl.check(LimitedAction::Comment, &[cafe], 1), Ok(()));
    }

    #[test]
    fn an_account_over_its_limit_does_not_charge_its_address() {
        let rl = limiter_with(LimitedAction::Comment, "2/h");
        let acct = LimitKey::Account(1);
        let shared = LimitKey::address(ip("198.51.100.1"));
        let elsewhere = LimitKey::address(ip("203.0.113.1"));
        rl.check(LimitedAction::Comment, &[elsewhere, acct], 2)
            .unwrap();
        for _ in 0..10 {
            assert!(
                rl.check(LimitedAction::Comment, &[shared, acct], 1)
                    .is_err()
            );
        }
        assert_eq!(rl.check(LimitedAction::Comment, &[shared], 2), Ok(()));
    }

    #[test]
    fn an_address_refusal_still_charges_the_account_as_documented() {
        let rl = limiter_with(LimitedAction::Comment, "2/h");
        let shared = LimitKey::address(ip("198.51.100.1"));
        rl.check(LimitedAction::Comment, &[shared], 2).unwrap();
        assert!(
            rl.check(LimitedAction::Comment, &[shared, LimitKey::Account(1)], 1)
                .is_err()
        );
        let fresh = LimitKey::address(ip("203.0.113.1"));
        assert_eq!(
            rl.check(LimitedAction::Comment, &[fresh, LimitKey::Account(1)], 1),
            Ok(())
        );
        assert!(
            rl.check(LimitedAction::Comment, &[fresh, LimitKey::Account(1)], 1)
                .is_err()
        );
    }

    #[test]
    fn duplicate_keys_are_charged_once() {
        let rl = limiter_with(LimitedAction::Comment, "2/h");
        let a = LimitKey::address(ip("198.51.100.1"));
        assert_eq!(rl.check(LimitedAction::Comment, &[a, a], 1), Ok(()));
        assert_eq!(rl.check(LimitedAction::Comment, &[a], 1), Ok(()));
    }

    #[test]
    fn a_batch_of_n_counts_as_n() {
        let rl = limiter_with(LimitedAction::Answer, "5/h:5");
        let a = LimitKey::address(ip("198.51.100.1"));
        assert_eq!(rl.check(LimitedAction::Answer, &[a], 3), Ok(()));
        assert!(rl.check(LimitedAction::Answer, &[a], 3).is_err());
        assert_eq!(rl.check(LimitedAction::Answer, &[a], 2), Ok(()));
        assert!(rl.check(LimitedAction::Answer, &[a], 1).is_err());
    }

    #[test]
    fn a_batch_of_zero_always_passes() {
        let rl = limiter_with(LimitedAction::Answer, "1/h");
        let a = LimitKey::address(ip("198.51.100.1"));
        rl.check(LimitedAction::Answer, &[a], 1).unwrap();
        assert_eq!(rl.check(LimitedAction::Answer, &[a], 0), Ok(()));
        assert_eq!(rl.check(LimitedAction::Answer, &[], 1), Ok(()));
    }

    #[test]
    fn a_batch_larger_than_the_burst_is_refused_with_the_period_and_charges_nothing() {
        let rl = limiter_with(LimitedAction::Answer, "5/h:5");
        let a = LimitKey::address(ip("198.51.100.1"));
        assert_eq!(rl.check(LimitedAction::Answer, &[a], 6), Err(HOUR));
        assert_eq!(rl.check(LimitedAction::Answer, &[a], u32::MAX), Err(HOUR));
        assert_eq!(rl.check(LimitedAction::Answer, &[a], 5), Ok(()));
    }

    #[test]
    fn unlimited_never_refuses_and_tracks_nothing() {
        let rl = RateLimiter::new(&RateLimitConfig::unlimited());
        let a = LimitKey::address(ip("198.51.100.1"));
        for action in LimitedAction::ALL {
            for _ in 0..10_000 {
                assert_eq!(rl.check(action, &[a, LimitKey::Account(1)], 1), Ok(()));
            }
            assert_eq!(rl.check(action, &[a], u32::MAX), Ok(()));
        }
        assert!(rl.is_empty());
    }

    #[test]
    fn hand_built_extreme_quotas_do_not_panic() {
        let mut config = RateLimitConfig::default();
        config.set(
            LimitedAction::Comment,
            Quota {
                count: 0,
                period: Duration::ZERO,
                burst: 0,
            },
        );
        config.set(
            LimitedAction::Flag,
            Quota {
                count: 1,
                period: Duration::MAX,
                burst: u32::MAX,
            },
        );
        let rl = RateLimiter::new(&config);
        let a = LimitKey::address(ip("198.51.100.1"));
        let _ = rl.check(LimitedAction::Comment, &[a], 1);
        assert_eq!(rl.check(LimitedAction::Flag, &[a], 1), Ok(()));
        assert!(rl.check(LimitedAction::Flag, &[a], 1).is_err());
        let _ = format!("{rl:?}");
    }

    #[test]
    fn housekeeping_keeps_the_number_of_tracked_keys_bounded() {
        let rl = limiter_with(LimitedAction::GraphqlRequest, "1000/s");
        for round in 0u32..5 {
            for host in 0u32..100 {
                let addr = IpAddr::V4(Ipv4Addr::from_bits((round << 16) | host));
                rl.check(LimitedAction::GraphqlRequest, &[LimitKey::address(addr)], 1)
                    .unwrap();
            }
            assert_eq!(rl.len(), 100);
            // One cell per millisecond: every key is back to full capacity well within this.
            std::thread::sleep(Duration::from_millis(20));
            rl.housekeeping();
            assert_eq!(rl.len(), 0);
        }
    }

    #[test]
    fn housekeeping_keeps_keys_that_are_still_limited() {
        let rl = limiter_with(LimitedAction::Comment, "5/h");
        let a = LimitKey::address(ip("198.51.100.1"));
        rl.check(LimitedAction::Comment, &[a], 5).unwrap();
        rl.housekeeping();
        assert_eq!(rl.len(), 1);
        assert!(rl.check(LimitedAction::Comment, &[a], 1).is_err());
    }

    // ---- trusted proxies ----

    #[test]
    fn trusted_proxies_parse_a_mixed_list() {
        let list = proxies(" 10.0.0.0/8, 127.0.0.1/32 ,::1/128,fd00::/8, 192.0.2.5 ,");
        let printed: Vec<String> = list.iter().map(ToString::to_string).collect();
        assert_eq!(
            printed,
            [
                "10.0.0.0/8",
                "127.0.0.1/32",
                "::1/128",
                "fd00::/8",
                "192.0.2.5/32"
            ]
        );
        assert!(proxies("").is_empty());
    }

    #[test]
    fn trusted_proxy_errors_name_the_bad_entry() {
        for (list, entry) in [
            ("10.0.0.0/8,banana", "banana"),
            ("10.0.0.0/33", "10.0.0.0/33"),
            ("::1/129", "::1/129"),
            ("10.0.0.0/x", "10.0.0.0/x"),
            ("10.0.0.0/", "10.0.0.0/"),
            ("127.0.0.1/32, 10.0.0.1/8", "10.0.0.1/8"),
        ] {
            let err = parse_trusted_proxies(list).unwrap_err();
            assert_eq!(err.entry, entry);
            assert!(err.to_string().contains(&format!("{entry:?}")), "{err}");
        }
    }

    #[test]
    fn trusted_proxy_contains_matches_by_prefix() {
        let net = TrustedProxy::parse("10.0.0.0/8").unwrap();
        assert!(net.contains(ip("10.255.1.2")));
        assert!(net.contains(ip("::ffff:10.1.2.3")));
        assert!(!net.contains(ip("11.0.0.1")));
        assert!(!net.contains(ip("::a00:1")));
        let v6 = TrustedProxy::parse("2001:db8::/32").unwrap();
        assert!(v6.contains(ip("2001:db8:ffff::1")));
        assert!(!v6.contains(ip("2001:db9::1")));
        assert!(
            TrustedProxy::parse("0.0.0.0/0")
                .unwrap()
                .contains(ip("203.0.113.1"))
        );
        let mapped = TrustedProxy::parse("::ffff:10.0.0.0/104").unwrap();
        assert_eq!(mapped.to_string(), "10.0.0.0/8");
    }

    // ---- client address ----

    #[test]
    fn an_untrusted_peer_ignores_forwarded_for() {
        let trusted = proxies("10.0.0.0/8");
        assert_eq!(
            client_addr(ip("203.0.113.5"), Some("1.2.3.4"), &trusted),
            ip("203.0.113.5")
        );
    }

    #[test]
    fn a_trusted_peer_without_forwarded_for_is_the_client() {
        let trusted = proxies("10.0.0.0/8");
        assert_eq!(client_addr(ip("10.0.0.1"), None, &trusted), ip("10.0.0.1"));
        assert_eq!(
            client_addr(ip("10.0.0.1"), Some(" , "), &trusted),
            ip("10.0.0.1")
        );
    }

    #[test]
    fn a_trusted_peer_yields_the_rightmost_untrusted_address() {
        let trusted = proxies("10.0.0.0/8");
        assert_eq!(
            client_addr(ip("10.0.0.1"), Some("198.51.100.7, 203.0.113.5"), &trusted),
            ip("203.0.113.5")
        );
    }

    #[test]
    fn a_chain_of_two_trusted_proxies_is_walked_through() {
        let trusted = proxies("10.0.0.0/8,192.168.0.0/16");
        assert_eq!(
            client_addr(ip("10.0.0.1"), Some("203.0.113.5, 192.168.1.1"), &trusted),
            ip("203.0.113.5")
        );
    }

    #[test]
    fn spoofed_leftmost_entries_are_ignored() {
        let trusted = proxies("10.0.0.0/8");
        let header = "127.0.0.1, 10.0.0.9, 1.1.1.1, 203.0.113.5";
        assert_eq!(
            client_addr(ip("10.0.0.1"), Some(header), &trusted),
            ip("203.0.113.5")
        );
    }

    #[test]
    fn several_headers_joined_with_commas_are_one_list() {
        let trusted = proxies("10.0.0.0/8");
        let header = "6.6.6.6,198.51.100.7, 10.0.0.2";
        assert_eq!(
            client_addr(ip("10.0.0.1"), Some(header), &trusted),
            ip("198.51.100.7")
        );
    }

    #[test]
    fn ports_brackets_and_quotes_are_stripped() {
        let trusted = proxies("10.0.0.0/8,fd00::/8");
        for (header, want) in [
            ("203.0.113.5:5678", "203.0.113.5"),
            ("[2001:db8::1]:443", "2001:db8::1"),
            ("[2001:db8::1]", "2001:db8::1"),
            ("2001:db8::1", "2001:db8::1"),
            ("\"[2001:db8::1]:443\"", "2001:db8::1"),
            ("\"203.0.113.5\"", "203.0.113.5"),
            ("::ffff:203.0.113.5", "203.0.113.5"),
            ("203.0.113.5, [fd00::1]:80, 10.0.0.3:1234", "203.0.113.5"),
        ] {
            assert_eq!(
                client_addr(ip("10.0.0.1"), Some(header), &trusted),
                ip(want),
                "{header}"
            );
        }
    }

    #[test]
    fn a_v4_mapped_peer_is_matched_against_ipv4_proxies() {
        let trusted = proxies("10.0.0.0/8");
        assert_eq!(
            client_addr(ip("::ffff:10.0.0.1"), Some("203.0.113.5"), &trusted),
            ip("203.0.113.5")
        );
        assert_eq!(
            client_addr(ip("::ffff:203.0.113.9"), None, &trusted),
            ip("203.0.113.9")
        );
    }

    #[test]
    fn garbage_stops_the_walk_at_the_nearest_trusted_hop() {
        let trusted = proxies("10.0.0.0/8");
        for header in [
            "garbage",
            "unknown",
            "1.2.3.4:99999",
            "[2001:db8::1",
            "\"1.2.3.4",
            "1.2.3",
        ] {
            assert_eq!(
                client_addr(ip("10.0.0.1"), Some(header), &trusted),
                ip("10.0.0.1"),
                "{header}"
            );
        }
        assert_eq!(
            client_addr(
                ip("10.0.0.1"),
                Some("203.0.113.5, garbage, 10.0.0.2"),
                &trusted
            ),
            ip("10.0.0.2")
        );
    }

    #[test]
    fn an_all_trusted_chain_yields_the_farthest_hop() {
        let trusted = proxies("10.0.0.0/8");
        assert_eq!(
            client_addr(ip("10.0.0.1"), Some("10.0.0.3, 10.0.0.2"), &trusted),
            ip("10.0.0.3")
        );
    }
}
