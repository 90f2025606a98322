//! The routes of the REST example, kept apart from `main` so tests can build
//! the same app.

use std::collections::BTreeMap;
use std::sync::Mutex;

use mocket::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Clone, Serialize)]
pub(crate) struct Todo {
    pub(crate) id: u64,
    pub(crate) title: String,
    pub(crate) done: bool,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NewTodo {
    title: String,
    #[serde(default)]
    done: bool,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TodoPatch {
    title: Option<String>,
    done: Option<bool>,
}

#[derive(Default)]
struct Store {
    next_id: u64,
    todos: BTreeMap<u64, Todo>,
}

type Db = Mutex<Store>;

fn validate_title(title: &str) -> Result<(), Error> {
    let title = title.trim();
    if title.is_empty() {
        return Err(Error::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "title must not be empty",
        ));
    }
    if title.chars().count() > 200 {
        return Err(Error::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "title must be at most 200 characters",
        ));
    }
    Ok(())
}

fn todo_id(req: &Request) -> Result<u64, Error> {
    let raw = req.try_param("id").unwrap_or_default();
    raw.parse()
        .map_err(|_| Error::bad_request(format!("todo id must be a number, got {raw:?}")))
}

fn lock(req: &Request) -> Result<std::sync::Arc<Db>, Error> {
    req.state::<Db>()
}

/// Builds the app: `/todos` CRUD with JSON errors.
#[allow(dead_code)] // the example uses `routes`; tests/rest_api.rs this
pub(crate) fn build() -> Mocket {
    let mut app = Mocket::new();
    routes(&mut app);
    app
}

/// Registers the store, the error rendering and the routes on `app`.
pub(crate) fn routes(app: &mut Mocket) {
    app.state(Db::default());
    app.on_error(|err: Error| {
        (
            err.status(),
            Json(serde_json::json!({ "error": err.message() })),
        )
    });

    app.group("/todos", |todos| {
        todos.get("/", |req| async move {
            let db = lock(&req)?;
            let list: Vec<Todo> = db
                .lock()
                .map_err(|_| Error::internal("store poisoned"))?
                .todos
                .values()
                .cloned()
                .collect();
            Ok(Json(list))
        });
        todos.post("/", |mut req| async move {
            let new: NewTodo = req.json().await?;
            validate_title(&new.title)?;
            let db = lock(&req)?;
            let mut store = db.lock().map_err(|_| Error::internal("store poisoned"))?;
            store.next_id += 1;
            let todo = Todo {
                id: store.next_id,
                title: new.title.trim().to_owned(),
                done: new.done,
            };
            store.todos.insert(todo.id, todo.clone());
            let location = format!("/todos/{}", todo.id);
            Ok((StatusCode::CREATED, [("location", location)], Json(todo)))
        });
        todos.get("/:id", |req| async move {
            let id = todo_id(&req)?;
            let db = lock(&req)?;
            let store = db.lock().map_err(|_| Error::internal("store poisoned"))?;
            let todo = store
                .todos
                .get(&id)
                .cloned()
                .ok_or_else(|| Error::not_found(format!("no todo with id {id}")))?;
            Ok(Json(todo))
        });
        todos.patch("/:id", |mut req| async move {
            let id = todo_id(&req)?;
            let patch: TodoPatch = req.json().await?;
            if let Some(title) = &patch.title {
                validate_title(title)?;
            }
            let db = lock(&req)?;
            let mut store = db.lock().map_err(|_| Error::internal("store poisoned"))?;
            let todo = store
                .todos
                .get_mut(&id)
                .ok_or_else(|| Error::not_found(format!("no todo with id {id}")))?;
            if let Some(title) = patch.title {
                todo.title = title.trim().to_owned();
            }
            if let Some(done) = patch.done {
                todo.done = done;
            }
            Ok(Json(todo.clone()))
        });
        todos.delete("/:id", |req| async move {
            let id = todo_id(&req)?;
            let db = lock(&req)?;
            let mut store = db.lock().map_err(|_| Error::internal("store poisoned"))?;
            match store.todos.remove(&id) {
                Some(_) => Ok(StatusCode::NO_CONTENT),
                None => Err(Error::not_found(format!("no todo with id {id}"))),
            }
        });
    });
}
