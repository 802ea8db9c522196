//! The commands, one file per family; `main.rs` parses the arguments and calls them. Each
//! returns [`Fail`]: a usage error (exit status 1) or a refusal by the kernel or the system (2).

use std::io::BufRead;

use ofgroupctl::nl::Failure;
use ofgroupctl::parse::ParseError;

pub(crate) mod buckets;
pub(crate) mod flows;
pub(crate) mod groups;
pub(crate) mod monitor;
pub(crate) mod packet;
pub(crate) mod ports;
pub(crate) mod watch;

/// Why a command failed.
pub(crate) enum Fail {
    /// Bad arguments or input: exit status 1.
    Usage(String),
    /// The kernel (or the system) refused: exit status 2.
    Kernel(Failure),
}

impl From<ParseError> for Fail {
    fn from(e: ParseError) -> Self {
        Fail::Usage(e.to_string())
    }
}

impl From<Failure> for Fail {
    fn from(e: Failure) -> Self {
        Fail::Kernel(e)
    }
}

/// Buffered standard output for dumps: one `write` per buffer-full rather than per line (stdout
/// is line-buffered), and a write error (e.g. a closed pipe) ends the dump.
pub(crate) struct Out(std::io::BufWriter<std::io::StdoutLock<'static>>);

impl Out {
    pub(crate) fn new() -> Self {
        Out(std::io::BufWriter::with_capacity(
            64 * 1024,
            std::io::stdout().lock(),
        ))
    }

    pub(crate) fn line(&mut self, args: std::fmt::Arguments<'_>) -> Result<(), Failure> {
        use std::io::Write;
        writeln!(self.0, "{args}").map_err(|e| Failure::Other(format!("standard output: {e}")))
    }

    pub(crate) fn finish(mut self) -> Result<(), Failure> {
        use std::io::Write;
        self.0
            .flush()
            .map_err(|e| Failure::Other(format!("standard output: {e}")))
    }
}

/// Every command of a batch file (`-`: standard input) with its line number, parsed before
/// anything is sent: a bad line changes nothing.
pub(crate) fn read_batch<T, E: std::fmt::Display>(
    file: &str,
    parse: impl Fn(&str) -> Result<Option<T>, E>,
) -> Result<Vec<(usize, T)>, Fail> {
    let mut cmds = Vec::new();
    for (n, line) in open_lines(file)?.lines().enumerate() {
        let line = line.map_err(|e| Fail::Usage(format!("{file}: {e}")))?;
        match parse(&line) {
            Ok(Some(c)) => cmds.push((n + 1, c)),
            Ok(None) => {}
            Err(e) => return Err(Fail::Usage(format!("{file}:{}: {e}", n + 1))),
        }
    }
    Ok(cmds)
}

fn open_lines(file: &str) -> Result<Box<dyn BufRead>, Fail> {
    Ok(if file == "-" {
        Box::new(std::io::stdin().lock())
    } else {
        let f = std::fs::File::open(file).map_err(|e| Fail::Usage(format!("{file}: {e}")))?;
        Box::new(std::io::BufReader::new(f))
    })
}
