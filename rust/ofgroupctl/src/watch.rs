//! `watch-group-stats`: packet and byte rates of groups and buckets from two counter dumps and
//! their times, each bucket's share of its group next to its weight share, and how to show them
//! (a table redrawn on a terminal, plain lines or JSON lines otherwise).
//!
//! Counters only grow between two dumps unless the group changed: a reset, a delete and add
//! again (its duration goes back), or a bucket removed and added again under the same id (its
//! counters restart at zero). Such intervals are flagged and their rates left out, never shown
//! as negative. A modify keeps the group totals and the counters of surviving bucket ids, so
//! those still have rates; the group is marked modified, since its weights changed mid-interval.

use std::fmt::Write;

use ofgroup_logic::model::GroupType;
use serde_json::Value;

use crate::format::GroupStats;
use crate::spec::{Group, GroupId};

/// One dump of group counters, and when it was taken (seconds on a monotonic clock).
#[derive(Clone, Debug, Default)]
pub struct Sample {
    /// Seconds on a monotonic clock (only differences matter).
    pub time: f64,
    /// The groups with their counters, as the kernel reported them.
    pub groups: Vec<(Group, GroupStats)>,
}

/// What happened to a group between two dumps.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum GroupChange {
    /// Same definition, counters grew (or stayed).
    Same,
    /// Not in the earlier dump.
    New,
    /// Type, selection or buckets changed (modify, insert/remove buckets).
    Modified,
    /// Deleted and added again: its duration went back, its counters restarted.
    Recreated,
    /// Same definition, but its counters went down (a stats reset).
    Reset,
}

impl GroupChange {
    /// The word the views print.
    pub fn name(self) -> &'static str {
        match self {
            GroupChange::Same => "ok",
            GroupChange::New => "new",
            GroupChange::Modified => "modified",
            GroupChange::Recreated => "recreated",
            GroupChange::Reset => "reset",
        }
    }
}

/// What happened to a bucket between two dumps.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BucketChange {
    /// Present in both dumps, counters grew (or stayed).
    Same,
    /// Its bucket id was not in the earlier dump.
    New,
    /// Its counters went down: they restarted (removed and added again, reset, recreated).
    Restarted,
}

impl BucketChange {
    /// The word the views print.
    pub fn name(self) -> &'static str {
        match self {
            BucketChange::Same => "ok",
            BucketChange::New => "new",
            BucketChange::Restarted => "restarted",
        }
    }
}

/// Packets and bytes per second.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Rate {
    /// Packets per second.
    pub packets: f64,
    /// Bytes per second.
    pub bytes: f64,
}

/// One bucket's line of the view.
#[derive(Clone, Debug, PartialEq)]
pub struct BucketRate {
    /// Position in the group.
    pub index: usize,
    /// `bucket_id`, as the kernel reports it.
    pub bucket_id: Option<u32>,
    /// Weight (select groups only).
    pub weight: Option<u16>,
    /// Weight over the sum of the group's weights (select groups only).
    pub weight_share: Option<f64>,
    /// What happened to it since the earlier dump.
    pub change: BucketChange,
    /// Rates over the interval; `None` when its counters restarted or it is new.
    pub rate: Option<Rate>,
    /// Its packets over the group's packets in the interval, when both are known and the group
    /// had packets.
    pub share: Option<f64>,
    /// Packets and bytes counted so far.
    pub packets: u64,
    /// Bytes counted so far.
    pub bytes: u64,
}

/// One group's block of the view.
#[derive(Clone, Debug, PartialEq)]
pub struct GroupRate {
    /// Group id.
    pub group_id: u32,
    /// Group type.
    pub group_type: Option<GroupType>,
    /// What happened to it since the earlier dump.
    pub change: GroupChange,
    /// Rates over the interval; `None` when new or its counters restarted.
    pub rate: Option<Rate>,
    /// Packets counted so far.
    pub packets: u64,
    /// Bytes counted so far.
    pub bytes: u64,
    /// Flows referencing the group.
    pub ref_count: u32,
    /// Its buckets, in order.
    pub buckets: Vec<BucketRate>,
}

fn group_id(g: &Group, s: &GroupStats) -> u32 {
    match g.group_id {
        Some(GroupId::Id(id)) => id,
        _ => s.group_id,
    }
}

/// Counter growth over `dt` seconds, or `None` when either counter went down.
fn rate(prev: (u64, u64), cur: (u64, u64), dt: f64) -> Option<Rate> {
    let dp = cur.0.checked_sub(prev.0)?;
    let db = cur.1.checked_sub(prev.1)?;
    // Counters fit f64's 53 bits of mantissa for any realistic interval's growth.
    #[allow(clippy::cast_precision_loss)]
    Some(Rate {
        packets: dp as f64 / dt,
        bytes: db as f64 / dt,
    })
}

/// Rates between two dumps, groups in the order of the later dump. `cur.time` must be after
/// `prev.time` (a zero interval gives no rates).
pub fn compute(prev: &Sample, cur: &Sample) -> Vec<GroupRate> {
    let dt = cur.time - prev.time;
    cur.groups
        .iter()
        .map(|(g, s)| {
            let id = group_id(g, s);
            let before = prev.groups.iter().find(|(pg, ps)| group_id(pg, ps) == id);
            let group_counts = (s.packets, s.bytes);
            let change = match before {
                None => GroupChange::New,
                Some((_, ps)) if s.duration_ns < ps.duration_ns => GroupChange::Recreated,
                Some((pg, _)) if !same_definition(pg, g) => GroupChange::Modified,
                Some((_, ps)) if rate((ps.packets, ps.bytes), group_counts, 1.0).is_none() => {
                    GroupChange::Reset
                }
                Some((pg, ps)) => {
                    let went_down = g.buckets.iter().enumerate().any(|(i, b)| {
                        let Some(prev_i) = bucket_index(pg, b.bucket_id, i) else {
                            return false;
                        };
                        let c = s.buckets.get(i).copied().unwrap_or_default();
                        let p = ps.buckets.get(prev_i).copied().unwrap_or_default();
                        c.0 < p.0 || c.1 < p.1
                    });
                    if went_down {
                        GroupChange::Reset
                    } else {
                        GroupChange::Same
                    }
                }
            };
            let usable = dt > 0.0 && !matches!(change, GroupChange::New | GroupChange::Recreated);
            let group_rate = before
                .filter(|_| usable)
                .and_then(|(_, ps)| rate((ps.packets, ps.bytes), group_counts, dt));
            let weights: Option<u64> = (g.group_type == Some(GroupType::Select)).then(|| {
                g.buckets
                    .iter()
                    .map(|b| u64::from(b.weight.unwrap_or(1)))
                    .sum()
            });
            let buckets = g
                .buckets
                .iter()
                .enumerate()
                .map(|(i, b)| {
                    let counts = s.buckets.get(i).copied().unwrap_or_default();
                    let weight = weights.map(|_| b.weight.unwrap_or(1));
                    #[allow(clippy::cast_precision_loss)]
                    let weight_share = weights.and_then(|total| {
                        (total > 0).then(|| f64::from(weight.unwrap_or(1)) / total as f64)
                    });
                    let prev_counts = before.filter(|_| usable).and_then(|(pg, ps)| {
                        let j = bucket_index(pg, b.bucket_id, i)?;
                        Some(ps.buckets.get(j).copied().unwrap_or_default())
                    });
                    let (bchange, brate) = match prev_counts {
                        None => (BucketChange::New, None),
                        Some(p) => match rate(p, counts, dt) {
                            Some(r) => (BucketChange::Same, Some(r)),
                            None => (BucketChange::Restarted, None),
                        },
                    };
                    // A recreated group's buckets all restarted; a new group's are all new.
                    let bchange = match change {
                        GroupChange::Recreated => BucketChange::Restarted,
                        GroupChange::New => BucketChange::New,
                        _ => bchange,
                    };
                    let share = match (brate, group_rate) {
                        (Some(b), Some(g)) if g.packets > 0.0 => Some(b.packets / g.packets),
                        _ => None,
                    };
                    BucketRate {
                        index: i,
                        bucket_id: b.bucket_id,
                        weight,
                        weight_share,
                        change: bchange,
                        rate: brate,
                        share,
                        packets: counts.0,
                        bytes: counts.1,
                    }
                })
                .collect();
            GroupRate {
                group_id: id,
                group_type: g.group_type,
                change,
                rate: group_rate,
                packets: s.packets,
                bytes: s.bytes,
                ref_count: s.ref_count,
                buckets,
            }
        })
        .collect()
}

/// Where the bucket with this id was in `g`; without ids (never from the kernel), by position.
fn bucket_index(g: &Group, bucket_id: Option<u32>, position: usize) -> Option<usize> {
    match bucket_id {
        Some(id) => g.buckets.iter().position(|b| b.bucket_id == Some(id)),
        None => (position < g.buckets.len()).then_some(position),
    }
}

/// Type, selection and buckets equal (the group id and counters aside).
fn same_definition(a: &Group, b: &Group) -> bool {
    a.group_type == b.group_type
        && a.selection_method == b.selection_method
        && a.fields == b.fields
        && a.basis == b.basis
        && a.buckets == b.buckets
}

/// `1234`, `12.3k`, `4.56M`, `7.89G` (a rate in a narrow column).
pub fn human(v: f64) -> String {
    let units = [(1e9, "G"), (1e6, "M"), (1e3, "k")];
    for (scale, unit) in units {
        if v >= scale {
            let x = v / scale;
            return if x >= 100.0 {
                format!("{x:.0}{unit}")
            } else if x >= 10.0 {
                format!("{x:.1}{unit}")
            } else {
                format!("{x:.2}{unit}")
            };
        }
    }
    if v >= 100.0 || v == 0.0 {
        format!("{v:.0}")
    } else {
        format!("{v:.1}")
    }
}

fn percent(v: Option<f64>) -> String {
    v.map_or_else(|| "-".to_string(), |v| format!("{:.1}%", v * 100.0))
}

/// A bar of `width` cells: `#` for the bucket's share, `|` where its weight share ends (when it
/// has one), spaces elsewhere.
pub fn bar(share: Option<f64>, weight_share: Option<f64>, width: usize) -> String {
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    let cells = |f: f64| ((f.clamp(0.0, 1.0) * width as f64).round() as usize).min(width);
    let filled = share.map_or(0, cells);
    let mut s: Vec<char> = (0..width)
        .map(|i| if i < filled { '#' } else { ' ' })
        .collect();
    if let Some(w) = weight_share {
        let at = cells(w).clamp(1, width) - 1;
        s[at] = '|';
    }
    format!("[{}]", s.into_iter().collect::<String>())
}

/// The width of the bars.
pub const BAR_WIDTH: usize = 20;

fn type_name(t: Option<GroupType>) -> &'static str {
    t.map_or("?", |t| t.name())
}

fn rate_cells(r: Option<Rate>, change: &str) -> (String, String) {
    match r {
        Some(r) => (human(r.packets), format!("{}B", human(r.bytes))),
        None => (change.to_string(), change.to_string()),
    }
}

/// The terminal table for one interval (the caller clears the screen and adds a header).
pub fn table(rates: &[GroupRate]) -> String {
    let mut out = String::new();
    if rates.is_empty() {
        out.push_str("no groups\n");
    }
    for g in rates {
        let rates = match g.rate {
            Some(r) => format!("{} pkt/s  {}B/s", human(r.packets), human(r.bytes)),
            None => "no rate this interval".to_string(),
        };
        let mut flag = String::new();
        if g.change != GroupChange::Same {
            let _ = write!(flag, "  ({} between dumps)", g.change.name());
        }
        let _ = writeln!(
            out,
            "group {} type={} ref_count={}  {rates}  total {} packets {} bytes{flag}",
            g.group_id,
            type_name(g.group_type),
            g.ref_count,
            g.packets,
            g.bytes
        );
        let _ = writeln!(
            out,
            "  {:>6} {:>6} {:>7} {:>9} {:>10} {:>7}  share vs weight (|)",
            "bucket", "weight", "w.share", "pkt/s", "bytes/s", "share"
        );
        for bk in &g.buckets {
            let id = bk
                .bucket_id
                .map_or_else(|| bk.index.to_string(), |i| i.to_string());
            let (p, b) = rate_cells(bk.rate, bk.change.name());
            let w = bk.weight.map_or_else(|| "-".to_string(), |w| w.to_string());
            let _ = writeln!(
                out,
                "  {id:>6} {w:>6} {:>7} {p:>9} {:>10} {:>7}  {}",
                percent(bk.weight_share),
                if bk.rate.is_some() {
                    format!("{b}/s")
                } else {
                    b
                },
                percent(bk.share),
                bar(bk.share, bk.weight_share, BAR_WIDTH)
            );
        }
        out.push('\n');
    }
    out
}

fn opt_num(v: Option<f64>) -> String {
    v.map_or_else(|| "-".to_string(), |v| format!("{v:.1}"))
}

/// Plain lines for one interval (output that is not a terminal): one line per group, then one
/// per bucket, each starting with `time`.
pub fn lines(time: &str, rates: &[GroupRate]) -> String {
    let mut out = String::new();
    for g in rates {
        let _ = writeln!(
            out,
            "{time} group_id={} type={} change={} packets_per_s={} bytes_per_s={} packets={} bytes={}",
            g.group_id,
            type_name(g.group_type),
            g.change.name(),
            opt_num(g.rate.map(|r| r.packets)),
            opt_num(g.rate.map(|r| r.bytes)),
            g.packets,
            g.bytes
        );
        for bk in &g.buckets {
            let id = bk
                .bucket_id
                .map_or_else(|| bk.index.to_string(), |i| i.to_string());
            let w = bk.weight.map_or_else(|| "-".to_string(), |w| w.to_string());
            let _ = writeln!(
                out,
                "{time} group_id={} bucket_id={id} weight={w} weight_share={} change={} packets_per_s={} bytes_per_s={} share={} {}",
                g.group_id,
                percent(bk.weight_share),
                bk.change.name(),
                opt_num(bk.rate.map(|r| r.packets)),
                opt_num(bk.rate.map(|r| r.bytes)),
                percent(bk.share),
                bar(bk.share, bk.weight_share, BAR_WIDTH)
            );
        }
    }
    out
}

/// A bucket's line in a `--json` interval object.
#[derive(serde::Serialize)]
#[serde(rename_all = "kebab-case")]
struct BucketJson {
    id: Option<u32>,
    weight: Option<u16>,
    weight_share: Option<f64>,
    change: &'static str,
    packets_per_s: Option<f64>,
    bytes_per_s: Option<f64>,
    share: Option<f64>,
    packets: u64,
    bytes: u64,
}

/// One group for one interval, as `--json` prints it.
#[derive(serde::Serialize)]
#[serde(rename_all = "kebab-case")]
struct GroupJson {
    time: f64,
    id: u32,
    #[serde(rename = "type")]
    group_type: &'static str,
    change: &'static str,
    packets_per_s: Option<f64>,
    bytes_per_s: Option<f64>,
    packets: u64,
    bytes: u64,
    ref_count: u32,
    bucket: Vec<BucketJson>,
}

/// One JSON object per group for one interval (`time`: seconds since the Unix epoch). Keys come
/// out sorted (`serde_json::to_value`), as they always have.
pub fn json_lines(time: f64, rates: &[GroupRate]) -> Vec<Value> {
    rates
        .iter()
        .map(|g| {
            let v = GroupJson {
                time,
                id: g.group_id,
                group_type: type_name(g.group_type),
                change: g.change.name(),
                packets_per_s: g.rate.map(|r| r.packets),
                bytes_per_s: g.rate.map(|r| r.bytes),
                packets: g.packets,
                bytes: g.bytes,
                ref_count: g.ref_count,
                bucket: g
                    .buckets
                    .iter()
                    .map(|b| BucketJson {
                        id: b.bucket_id,
                        weight: b.weight,
                        weight_share: b.weight_share,
                        change: b.change.name(),
                        packets_per_s: b.rate.map(|r| r.packets),
                        bytes_per_s: b.rate.map(|r| r.bytes),
                        share: b.share,
                        packets: b.packets,
                        bytes: b.bytes,
                    })
                    .collect(),
            };
            serde_json::to_value(v).expect("string keys only")
        })
        .collect()
}
