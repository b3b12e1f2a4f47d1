//! A web function built with Momento's published Valkey crate (0.27.0): the request body is a command
//! line (`SET k v`), sent to the cluster named by the path; the reply comes back as text, one line per
//! value (`nil`, `int 3`, `data v`, `ok`, `simple PONG`, `error WRONGTYPE ...`, and `bulk [` ... `]`
//! around an array's elements), or a 502 with the client's error.
use momento_functions_bytes::Data;
use momento_functions_guest_web::{WebEnvironment, WebResponse, WebResult, invoke};
use momento_functions_valkey::{Command, Value, get_managed_cluster_client};

invoke!(handle);
fn handle(body: Data) -> WebResult<WebResponse> {
    let cluster = WebEnvironment::load().http_path().to_owned();
    let line = String::from_utf8(body.into_bytes())?;
    let mut words = line.split_whitespace();
    let Some(name) = words.next() else {
        return Ok(WebResponse::new().with_status(400).with_body("no command")?);
    };
    let mut command = Command::builder(name);
    for word in words {
        command.argument(word.to_owned());
    }
    match get_managed_cluster_client(cluster).command(command) {
        Ok(value) => {
            let mut out = Vec::new();
            describe(value, &mut out);
            Ok(WebResponse::new().with_body(out.join("\n"))?)
        }
        Err(error) => Ok(WebResponse::new().with_status(502).with_body(error.to_string())?),
    }
}

fn describe(value: Value, out: &mut Vec<String>) {
    match value {
        Value::Nil => out.push("nil".to_owned()),
        Value::Int(n) => out.push(format!("int {n}")),
        Value::Data(data) => out.push(format!("data {}", String::from_utf8_lossy(&data.into_bytes()))),
        Value::Bulk(bulk) => {
            out.push("bulk [".to_owned());
            for element in bulk {
                describe(element, out);
            }
            out.push("]".to_owned());
        }
        Value::Ok => out.push("ok".to_owned()),
        Value::SimpleString(text) => out.push(format!("simple {text}")),
        Value::SimpleError(text) => out.push(format!("error {text}")),
    }
}
