//! A login with a signed cookie session: `cargo run --example cookie_session`.
//!
//! - `GET /login` shows a form; `POST /login` (`user=ada&password=lovelace`)
//!   sets the signed `session` cookie and redirects to `/account`.
//! - `GET /account` needs the session; without a valid one (absent,
//!   tampered, forged) it redirects to `/login`.
//! - `POST /logout` removes the cookie.
//!
//! The cookie is signed, not encrypted: the client can read the user name
//! but not change it. The key comes from `SESSION_SECRET` (at least 32
//! bytes); without it a random key is made at startup, so sessions end when
//! the server restarts. Listens on `PORT` (default 3000).
//!
//! ```text
//! curl -i -d 'user=ada&password=lovelace' localhost:3000/login
//! curl -i -b 'session=…' localhost:3000/account
//! ```

use mocket::cookie::{Cookie, Key, SameSite};
use mocket::prelude::*;
use serde::Deserialize;

/// The one account of this demo; a real app checks a password hash.
const USER: &str = "ada";
const PASSWORD: &str = "lovelace";

#[derive(Deserialize)]
struct Login {
    user: String,
    password: String,
}

fn login_page(problem: &str) -> Html<String> {
    Html(format!(
        "<!doctype html><title>Log in</title><p>{problem}</p>\
         <form method=post action=/login>\
         <input name=user placeholder=user> <input name=password type=password> \
         <button>Log in</button></form>"
    ))
}

fn build(key: Key) -> Mocket {
    let mut app = Mocket::new();
    app.state(key);
    app.get("/login", |_req| async { login_page("") });
    app.post("/login", |mut req| async move {
        let login: Login = req.form().await?;
        if login.user != USER || login.password != PASSWORD {
            let page = login_page("Wrong user name or password.");
            return Ok((StatusCode::UNAUTHORIZED, page).into_response());
        }
        let session = Cookie::build(("session", login.user))
            .http_only(true)
            .same_site(SameSite::Lax);
        let jar = req.signed_cookies()?.add(session);
        Ok((jar, Redirect::to("/account")).into_response())
    });
    app.get("/account", |req| async move {
        Ok(match req.signed_cookies()?.get("session") {
            Some(session) => Html(format!(
                "<!doctype html><title>Account</title><p>Hello, {}!</p>\
                 <form method=post action=/logout><button>Log out</button></form>",
                session.value()
            ))
            .into_response(),
            None => Redirect::to("/login").into_response(),
        })
    });
    app.post("/logout", |req| async move {
        let jar = req.signed_cookies()?.remove("session");
        Ok((jar, Redirect::to("/login")))
    });
    app
}

// A one-line error and exit status 1, as `listen` does for a bad address.
#[allow(clippy::print_stderr)]
fn main() {
    let key = match mocket::env_var("SESSION_SECRET") {
        Some(secret) => Key::from_secret(secret.as_bytes()),
        None => Key::generate(),
    };
    let key = match key {
        Ok(key) => key,
        Err(e) => {
            eprintln!("error: SESSION_SECRET: {e}");
            std::process::exit(1);
        }
    };
    let port = mocket::env_var("PORT").unwrap_or_else(|| "3000".into());
    build(key).listen(&format!("127.0.0.1:{port}"));
}
