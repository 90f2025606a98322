//! [`Multipart::collect`]: a whole small form in memory.

use bytes::Bytes;

use super::Multipart;
use crate::error::Error;
use crate::form::FormData;

/// A `multipart/form-data` body read whole: its text fields as
/// [`FormData`] and its files, each in the order sent.
///
/// ```
/// # futures_executor::block_on(async {
/// let mut app = mocket_core::Mocket::new();
/// app.post("/", |mut req| async move {
///     let form = req.multipart()?.collect().await?;
///     let file = form.file("doc").unwrap();
///     Ok(format!(
///         "{} {} {:?} {}",
///         form.fields().get("title").unwrap(),
///         file.file_name(),
///         file.content_type(),
///         file.bytes().len(),
///     ))
/// });
/// let body = "--b\r\ncontent-disposition: form-data; name=title\r\n\r\nNotes\r\n\
///             --b\r\ncontent-disposition: form-data; name=doc; filename=n.txt\r\n\
///             content-type: text/plain\r\n\r\nhello\r\n--b--\r\n";
/// let req = mocket_core::http::Request::post("/")
///     .header("content-type", "multipart/form-data; boundary=b")
///     .body(body)
///     .unwrap();
/// let text = app.request(req).await.into_body().to_text().await.unwrap();
/// assert_eq!(text, r#"Notes n.txt Some("text/plain") 5"#);
/// # });
/// ```
#[derive(Debug, Clone, Default)]
pub struct MultipartForm {
    fields: FormData,
    files: Vec<UploadedFile>,
}

impl MultipartForm {
    /// The text fields (parts without a file name).
    ///
    /// ```
    /// let form = mocket_core::multipart::doc_form();
    /// assert_eq!(form.fields().get("title"), Some("Notes"));
    /// ```
    pub fn fields(&self) -> &FormData {
        &self.fields
    }

    /// The files (parts with a file name, even an empty one).
    ///
    /// ```
    /// let form = mocket_core::multipart::doc_form();
    /// assert_eq!(form.files().len(), 1);
    /// ```
    pub fn files(&self) -> &[UploadedFile] {
        &self.files
    }

    /// The first file of the field `name`.
    ///
    /// ```
    /// let form = mocket_core::multipart::doc_form();
    /// assert!(form.file("doc").is_some());
    /// assert!(form.file("title").is_none(), "a text field");
    /// ```
    pub fn file(&self, name: &str) -> Option<&UploadedFile> {
        self.files.iter().find(|f| f.name == name)
    }

    /// The fields and the files, owned.
    ///
    /// ```
    /// let (fields, files) = mocket_core::multipart::doc_form().into_parts();
    /// assert_eq!((fields.len(), files.len()), (1, 1));
    /// ```
    pub fn into_parts(self) -> (FormData, Vec<UploadedFile>) {
        (self.fields, self.files)
    }
}

/// A file from a `multipart/form-data` body, in memory.
#[derive(Debug, Clone)]
pub struct UploadedFile {
    name: String,
    file_name: String,
    content_type: Option<String>,
    bytes: Bytes,
}

impl UploadedFile {
    /// The form field's name.
    ///
    /// ```
    /// let form = mocket_core::multipart::doc_form();
    /// assert_eq!(form.files()[0].name(), "doc");
    /// ```
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The file name the client gave (empty when a browser's file input was
    /// left empty). The client's text: sanitize it before using it as a path.
    ///
    /// ```
    /// let form = mocket_core::multipart::doc_form();
    /// assert_eq!(form.files()[0].file_name(), "n.txt");
    /// ```
    pub fn file_name(&self) -> &str {
        &self.file_name
    }

    /// The part's `Content-Type`, as sent.
    ///
    /// ```
    /// let form = mocket_core::multipart::doc_form();
    /// assert_eq!(form.files()[0].content_type(), Some("text/plain"));
    /// ```
    pub fn content_type(&self) -> Option<&str> {
        self.content_type.as_deref()
    }

    /// The file's bytes.
    ///
    /// ```
    /// let form = mocket_core::multipart::doc_form();
    /// assert_eq!(&form.files()[0].bytes()[..], b"hello");
    /// ```
    pub fn bytes(&self) -> &Bytes {
        &self.bytes
    }

    /// The file's bytes, owned.
    ///
    /// ```
    /// let (_, mut files) = mocket_core::multipart::doc_form().into_parts();
    /// assert_eq!(files.remove(0).into_bytes().len(), 5);
    /// ```
    pub fn into_bytes(self) -> Bytes {
        self.bytes
    }
}

impl Multipart {
    /// Reads every field: text fields (which must be UTF-8, else 400) into
    /// [`FormData`], files into memory. Meant for small forms: the body
    /// limit bounds what it holds.
    ///
    /// See [`MultipartForm`] for an example.
    pub async fn collect(mut self) -> Result<MultipartForm, Error> {
        let mut form = MultipartForm::default();
        while let Some(field) = self.next_field().await? {
            let name = field.name().to_owned();
            match field.file_name().map(str::to_owned) {
                Some(file_name) => {
                    let content_type = field.content_type().map(str::to_owned);
                    form.files.push(UploadedFile {
                        name,
                        file_name,
                        content_type,
                        bytes: field.bytes().await?,
                    });
                }
                None => {
                    let value = field.text().await?;
                    form.fields.append(name, value);
                }
            }
        }
        Ok(form)
    }
}
