fn main() -> std::process::ExitCode {
    mimi_conformance::cli::main()
}
