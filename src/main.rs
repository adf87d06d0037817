//! The `planbot` command; all of it is in the library (see `cli::process`).

fn main() -> std::process::ExitCode {
    planbot::cli::main()
}
