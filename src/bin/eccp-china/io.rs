//! Where the command reads and writes: files, stdin and stdout.

use eccp_china::Error;
use std::io::{BufWriter, Read, Write};
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};

/// Set when stdout's reader went away (`| head`): the run then stops quietly.
static STDOUT_CLOSED: AtomicBool = AtomicBool::new(false);

/// Whether stdout's reader went away.
pub(crate) fn stdout_closed() -> bool {
    STDOUT_CLOSED.load(Ordering::Relaxed)
}

/// How errors name an input: its path, or `<stdin>` for `-`.
pub(crate) fn input_name(path: &str) -> &str {
    if path == "-" {
        "<stdin>"
    } else {
        path
    }
}

/// Opens `path` for reading, `-` being stdin. Readers apply the caps of
/// [`eccp_china::limits`] to what they read.
pub(crate) fn open(path: &str) -> Result<Box<dyn Read>, Error> {
    if path == "-" {
        return Ok(Box::new(std::io::stdin()));
    }
    let file = std::fs::File::open(path).map_err(|e| Error::io_at(path, e))?;
    Ok(Box::new(file))
}

/// Buffered output to a file (`--out`) or stdout.
pub(crate) enum Output {
    Stdout(BufWriter<std::io::StdoutLock<'static>>),
    File(BufWriter<std::fs::File>, String),
}

impl Output {
    /// The file, created (or truncated), or stdout.
    pub(crate) fn open(path: Option<&Path>) -> Result<Output, Error> {
        Ok(match path {
            None => Output::Stdout(BufWriter::new(std::io::stdout().lock())),
            Some(p) => {
                let f = std::fs::File::create(p).map_err(|e| Error::Write {
                    path: p.display().to_string(),
                    message: e.to_string(),
                })?;
                Output::File(BufWriter::new(f), p.display().to_string())
            }
        })
    }

    /// The output's name in errors.
    pub(crate) fn name(&self) -> String {
        match self {
            Output::Stdout(_) => "<stdout>".into(),
            Output::File(_, name) => name.clone(),
        }
    }

    /// Flushes; a closed stdout is not an error.
    pub(crate) fn finish(mut self) -> Result<(), Error> {
        match self.flush() {
            Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
            r => r.map_err(|e| output_error(&self, e)),
        }
    }

    fn note<T>(&self, r: std::io::Result<T>) -> std::io::Result<T> {
        if let (Output::Stdout(_), Err(e)) = (self, &r) {
            if e.kind() == std::io::ErrorKind::BrokenPipe {
                STDOUT_CLOSED.store(true, Ordering::Relaxed);
            }
        }
        r
    }
}

impl Write for Output {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let r = match self {
            Output::Stdout(w) => w.write(buf),
            Output::File(w, _) => w.write(buf),
        };
        self.note(r)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        let r = match self {
            Output::Stdout(w) => w.flush(),
            Output::File(w, _) => w.flush(),
        };
        self.note(r)
    }
}

/// A write error, naming the output.
pub(crate) fn output_error(out: &Output, e: std::io::Error) -> Error {
    Error::Write {
        path: out.name(),
        message: e.to_string(),
    }
}
