//! Files replaced atomically: written to a temporary file in the same folder, then renamed
//! over the target, so a reader never sees half a file and a failure leaves the old one.

use std::io;
use std::path::Path;

use tempfile::NamedTempFile;

/// A temporary file in `target`'s folder, with the permissions `target` has (or the usual
/// `0644` for a new file) rather than tempfile's private `0600`.
///
/// # Errors
/// When the folder does not exist or is not writable.
pub fn temp_file_beside(target: &Path) -> io::Result<NamedTempFile> {
    let dir = match target.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    };
    let mut builder = tempfile::Builder::new();
    builder.prefix(".datatrail-").suffix(".tmp");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(target).map_or(0o644, |m| m.permissions().mode());
        builder.permissions(std::fs::Permissions::from_mode(mode));
    }
    builder.tempfile_in(dir)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(unix)]
    #[test]
    fn new_files_get_the_usual_permissions() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("out.csv");
        let temp = temp_file_beside(&target).unwrap();
        temp.persist(&target).unwrap();
        let mode = std::fs::metadata(&target).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o644);
    }
}
