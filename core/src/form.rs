//! `application/x-www-form-urlencoded` request bodies.
//!
//! Typed reading goes through `serde_html_form` (axum-extra's `Form` uses it)
//! rather than `serde_urlencoded`: a repeated field (`tag=a&tag=b`, what a
//! multi-select or several checkboxes send) fills a `Vec<T>`. Errors are
//! wrapped by `serde_path_to_error`, so a 400 names the field at fault.
//! [`FormData`] keeps every pair in order, for forms read by name.

use bytes::Bytes;
use http::StatusCode;
use http::header::CONTENT_TYPE;
use serde::de::DeserializeOwned;

use crate::error::Error;
use crate::request::Request;

const URLENCODED: &str = "application/x-www-form-urlencoded";

impl Request {
    /// Reads an `application/x-www-form-urlencoded` body into `T`. Another
    /// content type is a 415; data that does not fit `T` is a 400 naming the
    /// field; a body over the limit is a 413. A field given several times
    /// can be read as a `Vec`.
    ///
    /// ```
    /// # futures_executor::block_on(async {
    /// #[derive(serde::Deserialize)]
    /// struct Signup { name: String, age: u8, #[serde(default)] tag: Vec<String> }
    ///
    /// let mut app = mocket_core::Mocket::new();
    /// app.post("/signup", |mut req| async move {
    ///     let form: Signup = req.form().await?;
    ///     Ok(format!("{} ({}) {:?}", form.name, form.age, form.tag))
    /// });
    /// let req = mocket_core::http::Request::post("/signup")
    ///     .header("content-type", "application/x-www-form-urlencoded")
    ///     .body("name=Ada+L&age=36&tag=math&tag=code")
    ///     .unwrap();
    /// let text = app.request(req).await.into_body().to_text().await.unwrap();
    /// assert_eq!(text, r#"Ada L (36) ["math", "code"]"#);
    /// # });
    /// ```
    pub async fn form<T: DeserializeOwned>(&mut self) -> Result<T, Error> {
        let body = self.urlencoded_body().await?;
        deserialize(&body, "invalid form body")
    }

    /// Reads an `application/x-www-form-urlencoded` body as [`FormData`]:
    /// every `name=value` pair, decoded, in order. Another content type is a
    /// 415; a body over the limit is a 413.
    ///
    /// ```
    /// # futures_executor::block_on(async {
    /// let mut app = mocket_core::Mocket::new();
    /// app.post("/", |mut req| async move {
    ///     let form = req.form_data().await?;
    ///     Ok(form.get_all("pick").collect::<Vec<_>>().join(","))
    /// });
    /// let req = mocket_core::http::Request::post("/")
    ///     .header("content-type", "application/x-www-form-urlencoded; charset=UTF-8")
    ///     .body("pick=a&other=1&pick=b%20c")
    ///     .unwrap();
    /// assert_eq!(app.request(req).await.into_body().to_text().await.unwrap(), "a,b c");
    /// # });
    /// ```
    pub async fn form_data(&mut self) -> Result<FormData, Error> {
        let body = self.urlencoded_body().await?;
        Ok(FormData::from_urlencoded(&body))
    }

    async fn urlencoded_body(&mut self) -> Result<Bytes, Error> {
        if !has_essence(self.header(CONTENT_TYPE.as_str()), URLENCODED) {
            return Err(Error::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "expected a request with content-type: application/x-www-form-urlencoded",
            ));
        }
        self.bytes().await
    }
}

/// Whether a content type's `type/subtype` (parameters ignored) is `want`.
pub(crate) fn has_essence(content_type: Option<&str>, want: &str) -> bool {
    content_type
        .and_then(|ct| ct.split(';').next())
        .is_some_and(|essence| essence.trim().eq_ignore_ascii_case(want))
}

fn deserialize<T: DeserializeOwned>(urlencoded: &[u8], what: &str) -> Result<T, Error> {
    let de = serde_html_form::Deserializer::from_bytes(urlencoded);
    serde_path_to_error::deserialize(de).map_err(|e| Error::bad_request(format!("{what}: {e}")))
}

/// Form fields as `name=value` pairs, decoded, in the order sent; a name
/// may repeat.
///
/// ```
/// use mocket_core::FormData;
/// let form = FormData::from_urlencoded(b"a=1&b=two+words&a=3");
/// assert_eq!(form.get("a"), Some("1"));
/// assert_eq!(form.get_all("a").collect::<Vec<_>>(), ["1", "3"]);
/// assert_eq!(form.get("b"), Some("two words"));
/// assert_eq!(form.len(), 3);
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FormData {
    pairs: Vec<(String, String)>,
}

impl FormData {
    /// An empty form.
    ///
    /// ```
    /// assert!(mocket_core::FormData::new().is_empty());
    /// ```
    pub fn new() -> Self {
        FormData::default()
    }

    /// Parses an `application/x-www-form-urlencoded` string (`+` is a space;
    /// bad escapes are kept as written; bytes that are not UTF-8 become
    /// U+FFFD, as browsers do).
    ///
    /// ```
    /// let form = mocket_core::FormData::from_urlencoded(b"q=%E2%9C%93&bad=%zz");
    /// assert_eq!(form.get("q"), Some("✓"));
    /// assert_eq!(form.get("bad"), Some("%zz"));
    /// ```
    pub fn from_urlencoded(input: &[u8]) -> Self {
        form_urlencoded::parse(input)
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect()
    }

    /// The first value of `name`.
    ///
    /// ```
    /// let form = mocket_core::FormData::from_urlencoded(b"a=1&a=2");
    /// assert_eq!(form.get("a"), Some("1"));
    /// assert_eq!(form.get("b"), None);
    /// ```
    pub fn get(&self, name: &str) -> Option<&str> {
        self.pairs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// Every value of `name`, in order.
    ///
    /// ```
    /// let form = mocket_core::FormData::from_urlencoded(b"a=1&b=0&a=2");
    /// assert_eq!(form.get_all("a").collect::<Vec<_>>(), ["1", "2"]);
    /// ```
    pub fn get_all<'a>(&'a self, name: &str) -> impl Iterator<Item = &'a str> {
        self.pairs
            .iter()
            .filter(move |(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// Every pair, in order.
    ///
    /// ```
    /// let form = mocket_core::FormData::from_urlencoded(b"a=1&b=2");
    /// assert_eq!(form.iter().collect::<Vec<_>>(), [("a", "1"), ("b", "2")]);
    /// ```
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.pairs.iter().map(|(k, v)| (k.as_str(), v.as_str()))
    }

    /// The number of pairs.
    ///
    /// ```
    /// assert_eq!(mocket_core::FormData::from_urlencoded(b"a=1&a=2").len(), 2);
    /// ```
    pub fn len(&self) -> usize {
        self.pairs.len()
    }

    /// Whether there are no pairs.
    ///
    /// ```
    /// assert!(mocket_core::FormData::from_urlencoded(b"").is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.pairs.is_empty()
    }

    /// Adds a pair at the end.
    ///
    /// ```
    /// let mut form = mocket_core::FormData::new();
    /// form.append("a", "1");
    /// assert_eq!(form.get("a"), Some("1"));
    /// ```
    pub fn append(&mut self, name: impl Into<String>, value: impl Into<String>) {
        self.pairs.push((name.into(), value.into()));
    }

    /// The pairs deserialized into `T`, as [`Request::form`] does; a
    /// mismatch is a 400 naming the field.
    ///
    /// ```
    /// #[derive(Debug, serde::Deserialize)]
    /// struct Q { n: u32 }
    /// let form = mocket_core::FormData::from_urlencoded(b"n=7");
    /// assert_eq!(form.deserialize::<Q>().unwrap().n, 7);
    /// let bad = mocket_core::FormData::from_urlencoded(b"n=x").deserialize::<Q>().unwrap_err();
    /// assert_eq!(bad.message(), "invalid form data: n: invalid digit found in string");
    /// ```
    pub fn deserialize<T: DeserializeOwned>(&self) -> Result<T, Error> {
        let encoded = form_urlencoded::Serializer::new(String::new())
            .extend_pairs(&self.pairs)
            .finish();
        deserialize(encoded.as_bytes(), "invalid form data")
    }
}

impl FromIterator<(String, String)> for FormData {
    fn from_iter<I: IntoIterator<Item = (String, String)>>(pairs: I) -> Self {
        FormData {
            pairs: pairs.into_iter().collect(),
        }
    }
}

impl IntoIterator for FormData {
    type Item = (String, String);
    type IntoIter = std::vec::IntoIter<(String, String)>;

    fn into_iter(self) -> Self::IntoIter {
        self.pairs.into_iter()
    }
}
