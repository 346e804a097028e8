//! Writes GraphQL responses as JSON, byte for byte what serde_json writes, faster on long
//! strings: a whole version of a Thai law is mostly long runs of text with nothing to escape,
//! and this checks eight bytes at a time where serde_json checks one.

use std::io::Write as _;

use async_graphql::{BatchResponse, Response, Value};

/// Eight copies of a byte.
const fn splat(b: u8) -> u64 {
    u64::from_ne_bytes([b; 8])
}

const ONES: u64 = splat(0x01);
const HIGHS: u64 = splat(0x80);

/// Does any byte of `x` need escaping in a JSON string (`"`, `\`, or a control byte)?
/// Exact as a yes/no: borrows can only wrongly flag bytes above a byte that truly matches.
fn needs_escape(x: u64) -> bool {
    let has_zero = |v: u64| v.wrapping_sub(ONES) & !v & HIGHS != 0;
    let below_space = x.wrapping_sub(splat(0x20)) & !x & HIGHS != 0;
    below_space || has_zero(x ^ splat(b'"')) || has_zero(x ^ splat(b'\\'))
}

const HEX: &[u8; 16] = b"0123456789abcdef";

fn escape_byte(out: &mut Vec<u8>, b: u8) {
    match b {
        b'"' => out.extend_from_slice(b"\\\""),
        b'\\' => out.extend_from_slice(b"\\\\"),
        b'\n' => out.extend_from_slice(b"\\n"),
        b'\r' => out.extend_from_slice(b"\\r"),
        b'\t' => out.extend_from_slice(b"\\t"),
        0x08 => out.extend_from_slice(b"\\b"),
        0x0c => out.extend_from_slice(b"\\f"),
        _ => out.extend_from_slice(&[
            b'\\',
            b'u',
            b'0',
            b'0',
            HEX[usize::from(b >> 4)],
            HEX[usize::from(b & 0xf)],
        ]),
    }
}

fn is_escaped(b: u8) -> bool {
    b < 0x20 || b == b'"' || b == b'\\'
}

pub fn write_str(out: &mut Vec<u8>, s: &str) {
    let bytes = s.as_bytes();
    out.reserve(bytes.len() + 2);
    out.push(b'"');
    let mut start = 0; // first byte not yet written
    let mut i = 0;
    while i < bytes.len() {
        if let Some(chunk) = bytes.get(i..i + 8) {
            let mut word = [0u8; 8];
            word.copy_from_slice(chunk);
            if !needs_escape(u64::from_ne_bytes(word)) {
                i += 8;
                continue;
            }
        }
        let end = (i + 8).min(bytes.len());
        for (j, &b) in bytes[i..end].iter().enumerate() {
            if is_escaped(b) {
                out.extend_from_slice(&bytes[start..i + j]);
                escape_byte(out, b);
                start = i + j + 1;
            }
        }
        i = end;
    }
    out.extend_from_slice(&bytes[start..]);
    out.push(b'"');
}

pub fn write_value(out: &mut Vec<u8>, value: &Value) {
    match value {
        Value::Null => out.extend_from_slice(b"null"),
        Value::Boolean(true) => out.extend_from_slice(b"true"),
        Value::Boolean(false) => out.extend_from_slice(b"false"),
        Value::Number(n) => {
            let _ = write!(out, "{n}");
        }
        Value::String(s) => write_str(out, s),
        Value::Enum(name) => write_str(out, name.as_str()),
        Value::List(items) => {
            out.push(b'[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                write_value(out, item);
            }
            out.push(b']');
        }
        Value::Object(fields) => {
            out.push(b'{');
            for (i, (name, item)) in fields.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                write_str(out, name.as_str());
                out.push(b':');
                write_value(out, item);
            }
            out.push(b'}');
        }
        // Rare: leave it to serde, which knows how async-graphql spells bytes.
        Value::Binary(_) => {
            let _ = serde_json::to_writer(&mut *out, value);
        }
    }
}

/// A response as async-graphql's own `Serialize` writes it: `data`, then `extensions` and
/// `errors` when not empty.
pub fn write_response(out: &mut Vec<u8>, response: &Response) -> serde_json::Result<()> {
    out.extend_from_slice(b"{\"data\":");
    write_value(out, &response.data);
    if !response.extensions.is_empty() {
        out.extend_from_slice(b",\"extensions\":");
        serde_json::to_writer(&mut *out, &response.extensions)?;
    }
    if !response.errors.is_empty() {
        out.extend_from_slice(b",\"errors\":");
        serde_json::to_writer(&mut *out, &response.errors)?;
    }
    out.push(b'}');
    Ok(())
}

pub fn to_vec(batch: &BatchResponse) -> serde_json::Result<Vec<u8>> {
    let mut out = Vec::new();
    match batch {
        BatchResponse::Single(r) => write_response(&mut out, r)?,
        BatchResponse::Batch(responses) => {
            out.push(b'[');
            for (i, r) in responses.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                write_response(&mut out, r)?;
            }
            out.push(b']');
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use async_graphql::{Name, ServerError, indexmap::IndexMap};

    use super::*;

    fn ours(s: &str) -> String {
        let mut out = Vec::new();
        write_str(&mut out, s);
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn strings_are_escaped_exactly_as_serde_json_does() {
        let mut cases: Vec<String> = (0u8..0x80).map(|b| (b as char).to_string()).collect();
        cases.extend(
            [
                "",
                "มาตรา ๑๕/๑ ให้ใช้บังคับ",
                "\"quoted\" \\ back\\slash",
                "line\nbreak\r\n\ttab\u{8}\u{c}\u{1f}\u{7f}",
                "emoji 🙏🏽 and ก้ำ",
                "</script><script>alert(1)</script>",
            ]
            .map(str::to_owned),
        );
        // A special byte at every offset of an eight-byte chunk, in long Thai text.
        for offset in 0..24 {
            for special in ["\"", "\\", "\n", "\u{1}"] {
                let mut s = "ก".repeat(offset / 3);
                s.push_str(&"a".repeat(offset % 3));
                s.push_str(special);
                s.push_str(&"ประเทศไทย".repeat(5));
                cases.push(s);
            }
        }
        for case in cases {
            assert_eq!(
                ours(&case),
                serde_json::to_string(&case).unwrap(),
                "{case:?}"
            );
        }
    }

    #[test]
    fn responses_match_async_graphql_serialisation() {
        let mut section = IndexMap::new();
        section.insert(Name::new("label"), Value::String("๑๕/๑".into()));
        section.insert(Name::new("position"), Value::Number(14.into()));
        section.insert(Name::new("open"), Value::Boolean(true));
        section.insert(Name::new("gone"), Value::Null);
        section.insert(Name::new("level"), Value::Enum(Name::new("CHAPTER")));
        section.insert(Name::new("ratio"), Value::from(0.5));
        let data = Value::Object(IndexMap::from([(
            Name::new("list"),
            Value::List(vec![Value::Object(section), Value::List(vec![])]),
        )]));
        let ok = || Response::new(data.clone());
        let failed = || {
            let mut r = Response::new(data.clone()).extension("cost", Value::Number(3.into()));
            r.errors = vec![ServerError::new("first must be between 1 and 500", None)];
            r
        };
        for batch in [
            BatchResponse::Single(ok()),
            BatchResponse::Single(failed()),
            BatchResponse::Batch(vec![ok(), failed()]),
        ] {
            assert_eq!(
                String::from_utf8(to_vec(&batch).unwrap()).unwrap(),
                serde_json::to_string(&batch).unwrap()
            );
        }
    }
}
