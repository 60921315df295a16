//! `atelier-sandbox`: the development tool that runs Atelier's contracts in-process on the
//! pallet-revive runtime (no chain). It links the whole runtime, so it is not part of the
//! installed `atelier`; `scripts/atelier scenario` and `scripts/atelier weights` run it.
//!
//! - `atelier-sandbox scenario`: the governance round, every step printed;
//! - `atelier-sandbox weights [--json]`: ref_time and proof_size of each contract message
//!   next to an ERC-20 transfer measured on the same runtime in the same run.

use std::{io::Write, process::ExitCode};

const USAGE: &str = "usage: atelier-sandbox scenario | atelier-sandbox weights [--json]";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let mut out = std::io::stdout().lock();
    let result = match args.as_slice() {
        ["scenario"] => scenario(&mut out),
        ["weights"] => weights(&mut out, false),
        ["weights", "--json"] => weights(&mut out, true),
        ["-h" | "--help" | "help"] => {
            println!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        _ => {
            eprintln!("{USAGE}");
            return ExitCode::from(2);
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

fn scenario(out: &mut impl Write) -> Result<(), Box<dyn std::error::Error>> {
    writeln!(
        out,
        "Atelier governance scenario on the pallet-revive dev runtime (in-process)"
    )?;
    let report =
        atelier_sandbox::scenario::run(out).map_err(|e| format!("the scenario failed: {e}"))?;
    writeln!(
        out,
        "done: proposal {:?}, member cap {}",
        report.state, report.settings.member_cap
    )?;
    Ok(())
}

fn weights(out: &mut impl Write, json: bool) -> Result<(), Box<dyn std::error::Error>> {
    let report = atelier_sandbox::weights::measure()
        .map_err(|e| format!("measuring weights failed: {e}"))?;
    if json {
        serde_json::to_writer_pretty(&mut *out, &report)?;
        writeln!(out)?;
    } else {
        write!(out, "{}", report.render())?;
    }
    Ok(())
}
