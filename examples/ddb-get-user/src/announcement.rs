use momento_functions::FunctionResult;
use momento_functions_host::{
    aws::{auth::AwsCredentialsProvider, ddb::{DynamoDBClient, Item}},
    build_environment_aws_credentials,
};
#[derive(serde::Deserialize)] struct Request { user: String }
#[derive(serde::Serialize)] struct Response { user: Option<Item> }
momento_functions::post!(ddb_get_user_proxy, Request, Response);
fn ddb_get_user_proxy(request: Request) -> FunctionResult<Response> {
    let client = DynamoDBClient::new(&AwsCredentialsProvider::new(
        "us-east-1",
        build_environment_aws_credentials!(),
    )?);
    let user = client.get_item_raw("users", ("user_id", request.user))?;
    Ok(Response { user })
}
