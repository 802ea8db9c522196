//! The flow lexer: fields split at commas and white space, actions at commas, each token with
//! its 1-based character position for error messages.

use crate::parse::Tok;

/// Split at commas and white space; remember 1-based character positions.
pub(super) fn tokens(input: &str) -> Vec<Tok<'_>> {
    let mut out = Vec::new();
    let mut start = None;
    let mut start_chars = 0usize;
    for (chars, (i, c)) in input.char_indices().enumerate() {
        let sep = c == ',' || c.is_whitespace();
        match (sep, start) {
            (true, Some(s)) => {
                out.push(Tok {
                    text: &input[s..i],
                    pos: start_chars + 1,
                });
                start = None;
            }
            (false, None) => {
                start = Some(i);
                start_chars = chars;
            }
            _ => {}
        }
    }
    if let Some(s) = start {
        out.push(Tok {
            text: &input[s..],
            pos: start_chars + 1,
        });
    }
    out
}

/// Split an action list at commas, with positions offset by `base` (1-based position of `list`).
pub(super) fn action_tokens(list: &str, base: usize) -> Vec<Tok<'_>> {
    let mut out = Vec::new();
    let mut start = 0usize;
    let mut push = |s: usize, e: usize| {
        let raw = &list[s..e];
        let lead = raw.len() - raw.trim_start().len();
        let text = raw.trim();
        if !text.is_empty() {
            out.push(Tok {
                text,
                pos: base + list[..s + lead].chars().count(),
            });
        }
    };
    for (i, c) in list.char_indices() {
        if c == ',' {
            push(start, i);
            start = i + 1;
        }
    }
    push(start, list.len());
    out
}
