//! Builds the lists of data files the binary carries, so that a new file is never left out:
//! every `*.yaml` under `scenarios/` (`src/harness/scenario/load.rs` `EMBEDDED`) and every
//! `*.json` under `vectors/` (`src/vectors/mod.rs` `EMBEDDED`), each sorted by path.

use std::path::{Path, PathBuf};

fn walk(dir: &Path, ext: &str, out: &mut Vec<PathBuf>) {
    let entries = std::fs::read_dir(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
    for entry in entries.flatten() {
        let path = entry.path();
        // Editors' lock and backup files are dotfiles (often dangling symlinks): not data files.
        let hidden = entry.file_name().to_string_lossy().starts_with('.');
        let Ok(kind) = entry.file_type() else { continue };
        if hidden || kind.is_symlink() {
            continue;
        }
        if kind.is_dir() {
            walk(&path, ext, out);
        } else if path.extension().is_some_and(|e| e == ext) {
            out.push(path);
        }
    }
}

/// `OUT_DIR/<name>`: a `&[(path, text)]` literal of every `*.<ext>` under `<dir>/`, the paths
/// relative to the manifest directory.
fn embed(root: &Path, dir: &str, ext: &str, name: &str) {
    let top = root.join(dir);
    println!("cargo:rerun-if-changed={}", top.display());
    let mut files = Vec::new();
    walk(&top, ext, &mut files);
    files.sort();
    let mut list = String::from("&[\n");
    for file in files {
        let rel = file.strip_prefix(root).expect("under the manifest dir");
        let rel = rel.to_string_lossy().replace('\\', "/");
        list.push_str(&format!(
            "    ({rel:?}, include_str!({:?})),\n",
            file.display().to_string()
        ));
    }
    list.push(']');
    let out = PathBuf::from(std::env::var("OUT_DIR").expect("cargo sets OUT_DIR"));
    std::fs::write(out.join(name), list).unwrap_or_else(|e| panic!("write OUT_DIR/{name}: {e}"));
}

fn main() {
    let root = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR"));
    embed(&root, "scenarios", "yaml", "embedded_scenarios.rs");
    embed(&root, "vectors", "json", "embedded_vectors.rs");
}
