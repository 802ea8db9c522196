//! monitor: print group notifications as they come.

use std::io::Write;

use ofgroupctl::format::format_group;
use ofgroupctl::json::notification_json;
use ofgroupctl::nl::{Client, Notification};

use super::Fail;

/// `monitor [--count N]`.
pub(crate) fn monitor(json: bool, count: Option<u64>) -> Result<(), Fail> {
    let mut left = count;
    Client::connect()?.monitor(|n| {
        let line = match (&n, json) {
            (Notification::Changed(g), false) => format!("group-change {}", format_group(g)),
            (Notification::Deleted(Some(id)), false) => format!("group-del group_id={id}"),
            (Notification::Deleted(None), false) => "group-del group_id=all".to_string(),
            (n, true) => notification_json(n).to_string(),
        };
        let mut out = std::io::stdout().lock();
        let _ = writeln!(out, "{line}");
        let _ = out.flush();
        match left.as_mut() {
            Some(c) => {
                *c = c.saturating_sub(1);
                *c > 0
            }
            None => true,
        }
    })?;
    Ok(())
}
