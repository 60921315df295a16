//! `atelier`: the command line of Atelier, DAO governance for generative-art communities.
//!
//! For now it runs the governance scenario and the weights report on the project's
//! pallet-revive runtime, in-process, from the committed contract artifacts. The local chain,
//! deployment, wallet commands, indexer, API and worker join it as their issues land.

use std::io::Write;

use anyhow::Context;
use clap::{Parser, Subcommand};

/// Atelier: DAO governance for generative-art communities.
#[derive(Parser)]
#[command(name = "atelier", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Runs the governance scenario on the pallet-revive runtime and prints every step:
    /// contributions attested, delegation, a proposal with an anchored summary, a direct
    /// vote and a relayed signed ballot, queue and execution.
    Dev,
    /// Prints ref_time and proof_size of each contract message next to an ERC-20 transfer
    /// measured on the same runtime in the same run.
    Weights {
        /// Print JSON instead of a table.
        #[arg(long)]
        json: bool,
    },
}

fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    let mut out = std::io::stdout().lock();
    match cli.command {
        Command::Dev => {
            writeln!(
                out,
                "Atelier governance scenario on the pallet-revive dev runtime (in-process)"
            )?;
            let report = atelier_sandbox::scenario::run(&mut out).context("the scenario failed")?;
            writeln!(
                out,
                "done: proposal {:?}, member cap {}",
                report.state, report.settings.member_cap
            )?;
        }
        Command::Weights { json } => {
            let report = atelier_sandbox::weights::measure().context("measuring weights failed")?;
            if json {
                serde_json::to_writer_pretty(&mut out, &report)?;
                writeln!(out)?;
            } else {
                write!(out, "{}", report.render())?;
            }
        }
    }
    Ok(())
}
