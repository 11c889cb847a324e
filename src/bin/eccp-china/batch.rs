//! `--profiles`: many profiles from a CSV, streamed row by row to CSV, JSON, text or a
//! directory of HTML pages.

use crate::args::{Args, Format};
use crate::io::{open, output_error, Output};
use eccp_china::{csvio, html::BatchIndex, Error, Recommendations, Recommender};
use std::io::{BufReader, IsTerminal, Write};
use std::path::{Path, PathBuf};

/// Where a batch writes its matches, one cluster at a time.
enum BatchOut<'a> {
    Csv(Box<csvio::MatchWriter<Output>>),
    Json {
        out: Output,
        first: bool,
    },
    Text {
        out: Output,
        first: bool,
    },
    /// One page per cluster in `dir`, and an index page written at the end.
    Html {
        dir: PathBuf,
        index: BatchIndex,
        rec: &'a Recommender,
    },
}

impl<'a> BatchOut<'a> {
    fn new(args: &'a Args, rec: &'a Recommender, source: &str) -> Result<BatchOut<'a>, Error> {
        Ok(match args.format {
            Format::Csv => BatchOut::Csv(Box::new(csvio::MatchWriter::new(Output::open(
                args.out.as_deref(),
            )?)?)),
            Format::Json => {
                let mut out = Output::open(args.out.as_deref())?;
                out.write_all(b"[").map_err(|e| output_error(&out, e))?;
                BatchOut::Json { out, first: true }
            }
            Format::Text => BatchOut::Text {
                out: Output::open(args.out.as_deref())?,
                first: true,
            },
            Format::Html => {
                // Checked with the arguments: html for a batch names a directory.
                let dir = args.out.clone().unwrap_or_else(|| PathBuf::from("."));
                std::fs::create_dir_all(&dir).map_err(|e| Error::Write {
                    path: dir.display().to_string(),
                    message: e.to_string(),
                })?;
                BatchOut::Html {
                    dir,
                    index: BatchIndex::new(source),
                    rec,
                }
            }
        })
    }

    fn write(&mut self, line: u64, r: &Recommendations) -> Result<(), Error> {
        match self {
            BatchOut::Csv(w) => w.write(r),
            BatchOut::Json { out, first } => {
                let sep: &[u8] = if *first { b"\n" } else { b",\n" };
                *first = false;
                out.write_all(sep).map_err(|e| output_error(out, e))?;
                serde_json::to_writer_pretty(&mut *out, r).map_err(|e| Error::Write {
                    path: out.name(),
                    message: e.to_string(),
                })
            }
            BatchOut::Text { out, first } => {
                if !*first {
                    out.write_all(b"\n").map_err(|e| output_error(out, e))?;
                }
                *first = false;
                out.write_all(r.to_text().as_bytes())
                    .map_err(|e| output_error(out, e))
            }
            BatchOut::Html { dir, index, rec } => {
                let file = page_name(line, &r.profile.name);
                let html = rec.report_html(r)?;
                write_file(&dir.join(&file), html.as_bytes())?;
                index.add(file, r);
                Ok(())
            }
        }
    }

    fn finish(self) -> Result<(), Error> {
        match self {
            BatchOut::Csv(w) => w.into_inner()?.finish(),
            BatchOut::Json { mut out, .. } => {
                out.write_all(b"\n]\n").map_err(|e| output_error(&out, e))?;
                out.finish()
            }
            BatchOut::Text { out, .. } => out.finish(),
            BatchOut::Html { dir, index, .. } => {
                let path = dir.join("index.html");
                write_file(&path, index.to_html().as_bytes())?;
                eprintln!("wrote {}", path.display());
                Ok(())
            }
        }
    }
}

fn write_file(path: &Path, bytes: &[u8]) -> Result<(), Error> {
    std::fs::write(path, bytes).map_err(|e| Error::Write {
        path: path.display().to_string(),
        message: e.to_string(),
    })
}

/// A cluster's page: its line (unique within the file) and its name as plain ASCII.
fn page_name(line: u64, name: &str) -> String {
    let mut slug = String::new();
    for c in name.chars() {
        if c.is_ascii_alphanumeric() {
            slug.push(c.to_ascii_lowercase());
        } else if !slug.ends_with('-') {
            slug.push('-');
        }
    }
    let slug: String = slug.trim_matches('-').chars().take(60).collect();
    let slug = slug.trim_end_matches('-');
    if slug.is_empty() {
        format!("line-{line:06}.html")
    } else {
        format!("line-{line:06}-{slug}.html")
    }
}

/// Many profiles from a CSV file (or `-` for stdin), streamed: each row is read, ranked and
/// its matches written before the next row is read, so memory does not grow with the file.
/// With `--skip-bad-rows`, a row that does not parse, does not resolve or cannot be ranked is
/// reported on stderr with its line, and the run goes on; without, it stops the run. A
/// summary line on stderr ends every run: rows read = written + skipped.
pub(crate) fn run(args: &Args, rec: &Recommender, path: &str) -> Result<(), Error> {
    let name = crate::io::input_name(path);
    let input = BufReader::with_capacity(64 * 1024, open(path)?);
    let rows = csvio::ProfileReader::new(name, input)?;
    let mut out = BatchOut::new(args, rec, name)?;
    let progress = std::io::stderr().is_terminal();
    let clear = || {
        if progress {
            eprint!("\r\x1b[K");
        }
    };
    let done = std::cell::Cell::new(0u64);
    let tick = || {
        done.set(done.get() + 1);
        if progress && done.get().is_multiple_of(256) {
            eprint!("\r{} rows done", done.get());
        }
    };
    let result = csvio::recommend_rows(
        rec,
        rows,
        &args.options,
        args.skip_bad_rows,
        |line, _profile, r| {
            tick();
            out.write(line, r)
        },
        |bad| {
            tick();
            clear();
            eprintln!("skipped line {}: {}", bad.line, row_message(&bad.error));
        },
    )
    .and_then(|summary| {
        out.finish().map_err(|error| csvio::BatchStopped {
            summary,
            line: None,
            error: Box::new(error),
        })?;
        Ok(summary)
    });
    clear();
    match result {
        Ok(summary) => {
            eprintln!("{name}: {summary}");
            Ok(())
        }
        // Whoever read the output stopped reading (`| head`): stop quietly.
        Err(_) if crate::io::stdout_closed() => Ok(()),
        Err(stopped) => {
            eprintln!("{name}: {stopped}");
            Err(match stopped.line {
                Some(line) => {
                    eprintln!("(--skip-bad-rows reports such rows and goes on)");
                    Error::Data {
                        file: name.to_string(),
                        record: format!("line {line}"),
                        field: "(row)".into(),
                        message: row_message(&stopped.error),
                    }
                }
                None => *stopped.error,
            })
        }
    }
}

/// What is wrong with a row, without repeating the file and line the caller names.
fn row_message(e: &Error) -> String {
    match e {
        Error::Data { field, message, .. } if field == "(row)" => message.clone(),
        Error::Data { field, message, .. } => format!("`{field}`: {message}"),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::page_name;

    #[test]
    fn page_names_are_plain_and_unique_by_line() {
        assert_eq!(
            page_name(3, "Basque machine tools, Spain"),
            "line-000003-basque-machine-tools-spain.html"
        );
        assert_eq!(page_name(12, "宁波"), "line-000012.html");
        assert_eq!(
            page_name(4, "../../etc/passwd"),
            "line-000004-etc-passwd.html"
        );
    }
}
