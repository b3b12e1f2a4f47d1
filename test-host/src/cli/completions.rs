//! `completions`: a shell completion script, generated from the command line's definition.

use std::process::ExitCode;

use clap::{Args, ValueEnum};

/// Print a completion script.
#[derive(Debug, Args)]
pub(crate) struct CompletionsCommand {
    /// The shell to complete in.
    #[arg(value_enum)]
    shell: Shell,
}

/// The shells `completions` writes scripts for.
#[derive(Debug, Clone, Copy, ValueEnum)]
enum Shell {
    Bash,
    Zsh,
    Fish,
}

impl CompletionsCommand {
    pub(crate) fn run(self, name: &'static str) -> ExitCode {
        let shell = match self.shell {
            Shell::Bash => clap_complete::Shell::Bash,
            Shell::Zsh => clap_complete::Shell::Zsh,
            Shell::Fish => clap_complete::Shell::Fish,
        };
        let mut command = super::command(name);
        clap_complete::generate(shell, &mut command, name, &mut std::io::stdout());
        ExitCode::SUCCESS
    }
}
