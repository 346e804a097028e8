//! HTML helpers: escaping (everything from the API is text, never markup) and the page frame.

/// Escapes text for HTML element content and quoted attribute values.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

/// Escaped text with its line breaks kept.
pub fn paragraphs(text: &str) -> String {
    escape(text).replace('\n', "<br>")
}

pub fn thai_digits(text: &str) -> String {
    text.chars()
        .map(|c| match c.to_digit(10) {
            Some(d) if c.is_ascii_digit() => char::from_u32(0x0E50 + d).unwrap_or(c),
            _ => c,
        })
        .collect()
}

pub fn page(title: &str, body: &str) -> String {
    format!(
        "<!doctype html><html lang=\"th\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{}</title><style>{}</style></head><body><main>{}</main></body></html>",
        escape(title),
        include_str!("site.css"),
        body
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markup_from_the_api_is_shown_as_text() {
        assert_eq!(
            escape("<script>alert('x')</script> & \"q\""),
            "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;q&quot;"
        );
        assert_eq!(paragraphs("a<b\nc"), "a&lt;b<br>c");
        assert_eq!(thai_digits("15 วัน"), "๑๕ วัน");
    }
}
