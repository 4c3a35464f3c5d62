//! Builds the list of scenario files the binary carries (`src/harness/scenario/mod.rs`
//! `EMBEDDED`): every `*.yaml` under `scenarios/`, sorted, so a new file is never left out.

use std::path::{Path, PathBuf};

fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
    let entries = std::fs::read_dir(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
    for entry in entries.flatten() {
        let path = entry.path();
        // Editors' lock and backup files are dotfiles (often dangling symlinks): not scenarios.
        let hidden = entry.file_name().to_string_lossy().starts_with('.');
        let Ok(kind) = entry.file_type() else { continue };
        if hidden || kind.is_symlink() {
            continue;
        }
        if kind.is_dir() {
            walk(&path, out);
        } else if path.extension().is_some_and(|e| e == "yaml") {
            out.push(path);
        }
    }
}

fn main() {
    let root = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR"));
    let scenarios = root.join("scenarios");
    println!("cargo:rerun-if-changed={}", scenarios.display());
    let mut files = Vec::new();
    walk(&scenarios, &mut files);
    files.sort();
    let mut list = String::from("&[\n");
    for file in files {
        let rel = file.strip_prefix(&root).expect("under the manifest dir");
        let rel = rel.to_string_lossy().replace('\\', "/");
        list.push_str(&format!(
            "    ({rel:?}, include_str!({:?})),\n",
            file.display().to_string()
        ));
    }
    list.push(']');
    let out = PathBuf::from(std::env::var("OUT_DIR").expect("cargo sets OUT_DIR"));
    std::fs::write(out.join("embedded_scenarios.rs"), list).expect("write OUT_DIR/embedded_scenarios.rs");
}
