//! Keyset pagination: opaque cursors and page limits.
//!
//! A cursor is the key of the last item of a page, tagged with the list it belongs to and
//! hex-encoded: clients treat it as opaque, and a cursor of one list is refused by another.

use crate::error::ApiError;

/// Items per page unless `limit` says otherwise.
pub const DEFAULT_LIMIT: u32 = 50;
/// The largest `limit`.
pub const MAX_LIMIT: u32 = 1000;

/// Checks `limit` (1..=1000, default 50).
pub fn limit(limit: Option<u32>) -> Result<i64, ApiError> {
    match limit.unwrap_or(DEFAULT_LIMIT) {
        l @ 1..=MAX_LIMIT => Ok(i64::from(l)),
        l => Err(ApiError::BadRequest(format!(
            "limit {l} is out of range 1..={MAX_LIMIT}"
        ))),
    }
}

/// Encodes the key `parts` of list `tag`.
pub fn encode(tag: &str, parts: &[String]) -> String {
    hex::encode(format!("{tag}:{}", parts.join(":")))
}

/// An empty cursor is no cursor (the first page).
fn given(cursor: Option<&str>) -> Option<&str> {
    cursor.filter(|c| !c.is_empty())
}

fn decode(tag: &str, cursor: &str, n: usize) -> Result<Vec<String>, ApiError> {
    let raw = hex::decode(cursor).map_err(|_| ApiError::InvalidCursor)?;
    let text = String::from_utf8(raw).map_err(|_| ApiError::InvalidCursor)?;
    // Keys never hold control characters (PostgreSQL refuses NUL in text).
    if text.chars().any(char::is_control) {
        return Err(ApiError::InvalidCursor);
    }
    let mut parts = text.splitn(n + 1, ':');
    if parts.next() != Some(tag) {
        return Err(ApiError::InvalidCursor);
    }
    let parts: Vec<String> = parts.map(str::to_owned).collect();
    if parts.len() == n {
        Ok(parts)
    } else {
        Err(ApiError::InvalidCursor)
    }
}

fn int(s: &str) -> Result<i64, ApiError> {
    s.parse().map_err(|_| ApiError::InvalidCursor)
}

/// A cursor over (block, event index).
pub fn encode_pos(tag: &str, block: i64, index: i64) -> String {
    encode(tag, &[block.to_string(), index.to_string()])
}

/// Reads a (block, event index) cursor of list `tag`.
pub fn decode_pos(tag: &str, cursor: Option<&str>) -> Result<Option<(i64, i64)>, ApiError> {
    given(cursor)
        .map(|c| {
            let p = decode(tag, c, 2)?;
            Ok((int(&p[0])?, int(&p[1])?))
        })
        .transpose()
}

/// Reads an id cursor of list `tag`.
pub fn decode_id(tag: &str, cursor: Option<&str>) -> Result<Option<i64>, ApiError> {
    given(cursor)
        .map(|c| int(&decode(tag, c, 1)?[0]))
        .transpose()
}

/// Reads a text-key cursor of list `tag`.
pub fn decode_text(tag: &str, cursor: Option<&str>) -> Result<Option<String>, ApiError> {
    given(cursor)
        .map(|c| Ok(decode(tag, c, 1)?.remove(0)))
        .transpose()
}

/// A (score, id) cursor; the score travels as its exact bits.
pub fn encode_score(tag: &str, score: f64, id: i64) -> String {
    encode(tag, &[format!("{:016x}", score.to_bits()), id.to_string()])
}

/// Reads a (score, id) cursor of list `tag`.
pub fn decode_score(tag: &str, cursor: Option<&str>) -> Result<Option<(f64, i64)>, ApiError> {
    given(cursor)
        .map(|c| {
            let p = decode(tag, c, 2)?;
            let bits = u64::from_str_radix(&p[0], 16).map_err(|_| ApiError::InvalidCursor)?;
            let score = f64::from_bits(bits);
            if score.is_nan() {
                return Err(ApiError::InvalidCursor);
            }
            Ok((score, int(&p[1])?))
        })
        .transpose()
}

/// Cuts `rows` (fetched with `limit + 1`) to a page and the cursor of its last item when
/// more follow.
pub fn split<T>(
    mut rows: Vec<T>,
    limit: i64,
    cursor_of: impl Fn(&T) -> String,
) -> (Vec<T>, Option<String>) {
    let limit = usize::try_from(limit).unwrap_or(usize::MAX);
    if rows.len() > limit {
        rows.truncate(limit);
        let next = rows.last().map(cursor_of);
        (rows, next)
    } else {
        (rows, None)
    }
}

/// Declares a page type `$name` of `$item`s for the OpenAPI document.
macro_rules! page_type {
    ($name:ident, $item:ty, $what:literal) => {
        #[doc = concat!("A page of ", $what, ".")]
        #[derive(Debug, serde::Serialize, utoipa::ToSchema)]
        pub struct $name {
            /// The items, in the list's order.
            pub items: Vec<$item>,
            /// Pass as `cursor` to get the next page; `null` on the last page.
            pub next_cursor: Option<String>,
        }
    };
}
pub(crate) use page_type;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_and_are_bound_to_their_list() {
        let c = encode_pos("votes", 12, 3);
        assert_eq!(decode_pos("votes", Some(&c)).unwrap(), Some((12, 3)));
        assert!(decode_pos("proposals", Some(&c)).is_err());
        assert!(decode_pos("votes", Some("zz")).is_err());
        assert_eq!(decode_pos("votes", Some("")).unwrap(), None);
        assert!(decode_id("votes", Some(&c)).is_err());
        let nul = hex::encode("members:\0");
        assert!(decode_text("members", Some(&nul)).is_err());
        let s = encode_score("works", 0.1 + 0.2, 7);
        assert_eq!(
            decode_score("works", Some(&s)).unwrap(),
            Some((0.1 + 0.2, 7))
        );
        let t = encode("members", &["0xab".into()]);
        assert_eq!(decode_text("members", Some(&t)).unwrap().unwrap(), "0xab");
    }

    #[test]
    fn limits_are_bounded() {
        assert_eq!(limit(None).unwrap(), 50);
        assert_eq!(limit(Some(1000)).unwrap(), 1000);
        assert!(limit(Some(0)).is_err());
        assert!(limit(Some(1001)).is_err());
    }
}
