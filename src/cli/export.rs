//! `nines export`: a model's Markov chain in another tool's language (PRISM, for Storm or PRISM).

use super::files::write_atomically;
use super::{Outcome, load, parse_overrides};
use crate::diag::Diagnostic;
use clap::ValueEnum;
use std::io::{self, Write};
use std::path::PathBuf;

/// Languages `nines export` writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ExportFormat {
    /// The unit-level continuous-time Markov chain as a PRISM `ctmc` model, with the label
    /// "down" and the reward structures "outages" (f) and "down_time" (U).
    Prism,
}

/// Arguments of `nines export`.
#[derive(Debug, clap::Args)]
pub struct ExportArgs {
    /// Model files (TOML).
    #[arg(required = true, value_name = "MODEL")]
    models: Vec<PathBuf>,
    /// Override a model value, e.g. component.db.mttr=2h (repeatable).
    #[arg(long = "set", value_name = "PATH=VALUE")]
    set: Vec<String>,
    /// Solve this block as the system instead of the model's top, e.g. --top web (the same as
    /// --set top=web).
    #[arg(long, value_name = "BLOCK")]
    top: Option<String>,
    /// Output language.
    #[arg(long, value_enum, default_value_t = ExportFormat::Prism)]
    format: ExportFormat,
    /// Write to FILE (replaced atomically) instead of stdout; with several models, FILE holds
    /// them one after another, and is written only when every model exports (else unchanged).
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    output: Option<PathBuf>,
}

/// `nines export`.
pub fn run_export(args: ExportArgs, out: &mut dyn Write) -> io::Result<Outcome> {
    let overrides = match parse_overrides(&args.set, args.top.as_deref()) {
        Ok(overrides) => overrides,
        Err(outcome) => return Ok(outcome),
    };
    let mut outcome = Outcome::Success;
    let mut texts: Vec<String> = Vec::new();
    for path in &args.models {
        let Some(loaded) = load(path, &overrides) else {
            outcome = Outcome::InputError;
            continue;
        };
        let exported = match args.format {
            ExportFormat::Prism => crate::export::prism(&loaded.model),
        };
        match exported {
            Ok(text) => texts.push(text),
            Err(error) => {
                let diagnostic = Diagnostic::new(
                    crate::diag::Code::ExportLimit,
                    format!("{}: {error}", loaded.file),
                    None,
                );
                loaded.sources.emit_to_stderr(&diagnostic);
                outcome = Outcome::InputError;
            }
        }
    }
    // Several models in one stream: a comment line between them (PRISM reads one model per
    // file, so split there to check each).
    let mut joined = String::new();
    for (index, text) in texts.iter().enumerate() {
        if index > 0 {
            joined.push_str("\n// ---- next model ----\n\n");
        }
        joined.push_str(text);
    }
    match &args.output {
        Some(file) => {
            // One file for several models is all or nothing: a file with some of them would
            // look complete, and the previous content would be lost for it.
            if outcome != Outcome::Success {
                let failed = args.models.len() - texts.len();
                say!(
                    "note: '{}' not written (unchanged): {failed} of {} model{} could not be exported",
                    file.display(),
                    args.models.len(),
                    if args.models.len() == 1 { "" } else { "s" }
                );
                return Ok(outcome);
            }
            if let Err(message) = write_atomically(file, joined.as_bytes()) {
                say!("error: {message}");
                return Ok(Outcome::InputError);
            }
        }
        None => out.write_all(joined.as_bytes())?,
    }
    Ok(outcome)
}
