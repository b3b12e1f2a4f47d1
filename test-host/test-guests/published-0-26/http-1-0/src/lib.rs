//! Built with Momento's published SDK 0.26.0, whose HTTP crate imports `momento:http/http@1.0.0` and whose
//! S3 crate imports `momento:aws-s3/aws-s3@1.0.0`: the test host links both older minor versions.
//!
//! | path | what it does |
//! |---|---|
//! | `http?url=U` | GET `U` with a 2 s timeout and answers with the upstream status and body (passed through as a host buffer) |
//! | `s3?bucket=B&key=K` | PUT the request body to `B/K` with hard-coded keys, GET it back, answer with it |
use std::time::Duration;

use momento_functions_aws_s3::{Authorization, Credentials, PutObjectRequest, S3Client, provider};
use momento_functions_bytes::Data;
use momento_functions_guest_web::{WebEnvironment, WebResponse, WebResult, invoke};

invoke!(handle);
fn handle(body: Data) -> WebResult<WebResponse> {
    let environment = WebEnvironment::load();
    let query = environment.query_parameters();
    let param = |name: &str| query.get(name).cloned().unwrap_or_default();
    match environment.http_path() {
        "http" => {
            let request = momento_functions_http::Request::new(param("url"), "GET")
                .with_request_timeout(Duration::from_secs(2));
            let response = momento_functions_http::invoke(request)?;
            Ok(WebResponse::new()
                .with_status(response.status)
                .with_body(response.body)?)
        }
        "s3" => {
            let credentials = provider(
                &Authorization::Hardcoded(Credentials {
                    access_key_id: "AKIDEXAMPLE".to_owned(),
                    secret_access_key: "secret".to_owned(),
                }),
                "us-east-1",
            )?;
            let client = S3Client::new(&credentials);
            client.put(PutObjectRequest::new(param("bucket"), param("key"), body))?;
            let object = client.get::<Vec<u8>>(param("bucket"), param("key"))?;
            match object {
                Some(object) => Ok(WebResponse::new().with_body(object.body)?),
                None => Ok(WebResponse::new().with_status(404)),
            }
        }
        other => Ok(WebResponse::new()
            .with_status(404)
            .with_body(format!("no such path: {other}"))?),
    }
}
