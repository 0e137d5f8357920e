//! Rendering an orchestrator's templates for one run, as the orchestrator does.
//!
//! Polyaxon (research/semantics.md §2.6): each child run's params are serialised to JSON
//! before its component is compiled, so a date param arrives as a string. Its input
//! type then decides what `{{ dt }}` becomes: a `date` input renders `2021-05-01`; a
//! `datetime` input is read *as a date* by Polyaxon 2.18 (clipped maps `datetime` to
//! `date`), so midnight values lose their time and any other value fails to compile;
//! an untyped or `str` input renders the string as stored.

use serde_json::{Map, Value as Json};

/// What `{{ name }}` becomes for one param, or the compile error it causes.
fn param_text(
    name: &str,
    value: &Json,
    input_types: &[(String, String)],
) -> Result<String, String> {
    let text = match value {
        Json::String(s) => s.clone(),
        Json::Null => "None".to_owned(),
        // Jinja renders the Python value (polyaxon 2.18.0, run: `--c0=True`).
        Json::Bool(true) => "True".to_owned(),
        Json::Bool(false) => "False".to_owned(),
        other => other.to_string(),
    };
    let typed = input_types
        .iter()
        .find(|(n, _)| n == name)
        .map(|(_, t)| t.as_str());
    if typed != Some("datetime") {
        return Ok(text);
    }
    match text.split_once('T') {
        Some((date, "00:00:00")) => Ok(date.to_owned()),
        Some(_) => Err(format!(
            "Could not parse value `{text}` for `{name}`: Cannot convert value `{text}` to `<class 'datetime.date'>`"
        )),
        None => Ok(text),
    }
}

/// Render one template string. `Err` carries Polyaxon's compile error.
fn render_one(
    template: &str,
    params: &Map<String, Json>,
    input_types: &[(String, String)],
    lenient: bool,
) -> Result<String, String> {
    let mut out = String::with_capacity(template.len() + 16);
    let mut rest = template;
    while let Some(open) = rest.find("{{") {
        out.push_str(&rest[..open]);
        let after = &rest[open + 2..];
        let Some(close) = after.find("}}") else {
            out.push_str(&rest[open..]);
            return Ok(out);
        };
        let expr = after[..close].trim();
        let (name, as_arg) = match expr.strip_prefix("params.") {
            Some(p) => match p.split_once('.') {
                Some((n, "as_arg")) => (n, true),
                Some((n, "value")) => (n, false),
                _ => (p, false),
            },
            None => (expr, false),
        };
        let value = params.get(name);
        let rendered = match value {
            Some(v) => {
                let t = param_text(name, v, if lenient { &[] } else { input_types })?;
                if as_arg {
                    format!("--{name}={t}")
                } else {
                    t
                }
            }
            None => return Err(format!("`{expr}` is not a param of this operation")),
        };
        out.push_str(&rendered);
        rest = &after[close + 2..];
    }
    out.push_str(rest);
    Ok(out)
}

/// Render the container's `command` and `args` for one run into `vars`: `command` and
/// `args` as Polyaxon renders them, or `render_error` with the compile error and
/// `args_intended`/`command_intended` with what the user probably wanted.
pub(crate) fn polyaxon_templates(
    params: &Map<String, Json>,
    input_types: &[(String, String)],
    command: &[String],
    args: &[String],
    vars: &mut Map<String, Json>,
) {
    let render_all = |list: &[String], lenient: bool| -> Result<Vec<Json>, String> {
        list.iter()
            .map(|t| render_one(t, params, input_types, lenient).map(Json::String))
            .collect()
    };
    let strict = (render_all(command, false), render_all(args, false));
    match strict {
        (Ok(c), Ok(a)) => {
            if !command.is_empty() {
                vars.insert("command".to_owned(), Json::Array(c));
            }
            if !args.is_empty() {
                vars.insert("args".to_owned(), Json::Array(a));
            }
        }
        (c, a) => {
            let error = c.err().or(a.err()).unwrap_or_default();
            vars.insert("render_error".to_owned(), Json::String(error));
            if let Ok(c) = render_all(command, true) {
                if !command.is_empty() {
                    vars.insert("command_intended".to_owned(), Json::Array(c));
                }
            }
            if let Ok(a) = render_all(args, true) {
                if !args.is_empty() {
                    vars.insert("args_intended".to_owned(), Json::Array(a));
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params(dt: &str) -> Map<String, Json> {
        let mut m = Map::new();
        m.insert("dt".into(), Json::String(dt.into()));
        m.insert("dummy_input2".into(), Json::from(10));
        m
    }

    fn render(dt: &str, ty: Option<&str>, args: &[&str]) -> Map<String, Json> {
        let mut vars = Map::new();
        let args: Vec<String> = args.iter().map(|s| (*s).to_owned()).collect();
        let types: Vec<(String, String)> = ty
            .map(|t| ("dt".to_owned(), t.to_owned()))
            .into_iter()
            .collect();
        polyaxon_templates(&params(dt), &types, &[], &args, &mut vars);
        vars
    }

    #[test]
    fn a_date_input_renders_the_date_and_as_arg() {
        let v = render(
            "2021-05-01",
            Some("date"),
            &["--dt={{ dt }}", "{{ params.dt.as_arg }}"],
        );
        assert_eq!(
            v["args"],
            serde_json::json!(["--dt=2021-05-01", "--dt=2021-05-01"])
        );
    }

    #[test]
    fn a_datetime_input_drops_midnight_and_fails_otherwise() {
        let v = render(
            "2021-05-01T00:00:00",
            Some("datetime"),
            &["--hour={{ dt }}"],
        );
        assert_eq!(v["args"], serde_json::json!(["--hour=2021-05-01"]));
        let v = render(
            "2021-05-01T10:00:00",
            Some("datetime"),
            &["--hour={{ dt }}"],
        );
        assert!(v["render_error"]
            .as_str()
            .unwrap()
            .contains("Could not parse value `2021-05-01T10:00:00` for `dt`"));
        assert_eq!(
            v["args_intended"],
            serde_json::json!(["--hour=2021-05-01T10:00:00"])
        );
    }

    #[test]
    fn untyped_inputs_render_the_stored_string() {
        let v = render(
            "2021-05-01T10:00:00",
            Some("str"),
            &["{{params.dt.as_arg}}", "n={{ dummy_input2 }}"],
        );
        assert_eq!(
            v["args"],
            serde_json::json!(["--dt=2021-05-01T10:00:00", "n=10"])
        );
    }

    #[test]
    fn unknown_names_are_compile_errors() {
        let v = render("2021-05-01", Some("date"), &["{{ nope }}"]);
        assert!(v["render_error"]
            .as_str()
            .unwrap()
            .contains("`nope` is not a param"));
    }
}
