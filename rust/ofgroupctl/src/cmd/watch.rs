//! watch-group-stats: the groups' rates, every interval.

use ofgroupctl::nl::{Client, Failure};

use super::Fail;

/// `HH:MM:SS` of the current time, UTC (the plain lines' time stamp).
fn utc_hms(now: std::time::SystemTime) -> String {
    let secs = now
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    format!(
        "{:02}:{:02}:{:02}",
        secs / 3600 % 24,
        secs / 60 % 60,
        secs % 60
    )
}

/// `watch-group-stats`: dump, wait, dump, show the rates; until `count` intervals or Ctrl-C.
pub(crate) fn watch(
    json: bool,
    id: Option<u32>,
    interval: f64,
    count: Option<u64>,
) -> Result<(), Fail> {
    use ofgroupctl::watch::{compute, json_lines, lines, table, Sample};
    use std::io::{IsTerminal, Write};
    use std::time::{Duration, Instant, SystemTime};

    let c = Client::connect()?;
    let start = Instant::now();
    let take = |first: bool| -> Result<Sample, Failure> {
        let t0 = start.elapsed().as_secs_f64();
        let groups = match c.groups(id, true) {
            Ok(g) => g,
            // The watched group went away: shown as no group until it comes back.
            Err(Failure::Kernel { .. }) if !first && id.is_some() => Vec::new(),
            Err(e) => return Err(e),
        };
        let t1 = start.elapsed().as_secs_f64();
        Ok(Sample {
            time: (t0 + t1) / 2.0,
            groups,
        })
    };
    let tty = !json && std::io::stdout().is_terminal();
    let mut prev = take(true)?;
    let mut out = std::io::stdout().lock();
    let header = |out: &mut std::io::StdoutLock<'_>, what: &str| {
        // Home, clear: the view is redrawn in place.
        write!(
            out,
            "\x1b[H\x1b[2Jofgroupctl watch-group-stats: every {interval}s, {} UTC; Ctrl-C quits\n{what}\n",
            utc_hms(SystemTime::now())
        )
    };
    if tty {
        let _ = header(&mut out, "(the first rates come after one interval)");
        let _ = out.flush();
    }
    let mut n = 0u64;
    while count.is_none_or(|c| n < c) {
        n += 1;
        // Ticks on a fixed schedule from the start, so time spent dumping does not add up.
        let due = Duration::from_secs_f64(interval * n as f64);
        if let Some(wait) = due.checked_sub(start.elapsed()) {
            std::thread::sleep(wait);
        }
        let cur = take(false)?;
        let rates = compute(&prev, &cur);
        let written = if tty {
            header(&mut out, "").and_then(|()| write!(out, "{}", table(&rates)))
        } else if json {
            let t = SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0.0, |d| d.as_secs_f64());
            json_lines(t, &rates)
                .iter()
                .try_for_each(|v| writeln!(out, "{v}"))
        } else {
            write!(out, "{}", lines(&utc_hms(SystemTime::now()), &rates))
        };
        // A closed pipe (e.g. `| head`) ends the watch quietly.
        if written.and_then(|()| out.flush()).is_err() {
            break;
        }
        prev = cur;
    }
    Ok(())
}
