//! Streamed `multipart/form-data` bodies, field by field and collected.

use mocket::prelude::*;

/// FNV-1a, 32 bits: the cases check file contents with it.
fn fnv1a(hash: u32, bytes: &[u8]) -> u32 {
    bytes
        .iter()
        .fold(hash, |h, &b| (h ^ u32::from(b)).wrapping_mul(0x0100_0193))
}

const FNV_START: u32 = 0x811c_9dc5;

pub(crate) fn register(app: &mut Mocket) {
    // One line per field, read chunk by chunk:
    // `name|file name|content type|size|fnv1a`.
    app.post("/multipart/describe", |mut req| async move {
        let mut multipart = req.multipart()?;
        let mut lines = Vec::new();
        while let Some(mut field) = multipart.next_field().await? {
            let (mut size, mut hash) = (0, FNV_START);
            while let Some(chunk) = field.chunk().await? {
                size += chunk.len();
                hash = fnv1a(hash, &chunk);
            }
            lines.push(format!(
                "{}|{}|{}|{size}|{hash:08x}",
                field.name(),
                field.file_name().unwrap_or("-"),
                field.content_type().unwrap_or("-"),
            ));
        }
        Ok(lines.join("\n"))
    });
    // Text fields as `name=value`, then files as `name:file name:size`.
    app.post("/multipart/collect", |mut req| async move {
        let form = req.multipart()?.collect().await?;
        let mut lines: Vec<String> = form
            .fields()
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect();
        lines.extend(
            form.files()
                .iter()
                .map(|f| format!("{}:{}:{}", f.name(), f.file_name(), f.bytes().len())),
        );
        Ok(lines.join("\n"))
    });
}
