//! `application/x-www-form-urlencoded` bodies, typed and as pairs.

use mocket::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Deserialize, Serialize)]
struct Signup {
    name: String,
    age: u8,
    #[serde(default)]
    tag: Vec<String>,
}

pub(crate) fn register(app: &mut Mocket) {
    app.post("/forms/typed", |mut req| async move {
        Ok(Json(req.form::<Signup>().await?))
    });
    app.post("/forms/pairs", |mut req| async move {
        let form = req.form_data().await?;
        let pairs: Vec<String> = form.iter().map(|(k, v)| format!("{k}={v}")).collect();
        Ok(pairs.join("|"))
    });
}
