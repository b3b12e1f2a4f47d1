//! Credentials providers (`aws-auth`, both generations), each a handle on a hot session per (region,
//! credentials).
//!
//! Hard-coded keys are accepted here and checked on each service call (as AWS does); a federated role is
//! "assumed" here, so a refused role fails the provider.

use std::sync::Arc;

use super::{AwsError, AwsErrorKind, AwsService, AwsSession, AwsState, CallInfo, Principal};

/// Is `region` shaped like an AWS region (`us-east-1`, `eu-central-2`, `us-gov-west-1`)?
pub(crate) fn is_region(region: &str) -> bool {
    let lower = |p: &str| !p.is_empty() && p.bytes().all(|b| b.is_ascii_lowercase());
    let parts: Vec<&str> = region.split('-').collect();
    let [area, middle @ .., number] = &parts[..] else {
        return false;
    };
    area.len() == 2
        && lower(area)
        && !middle.is_empty()
        && middle.iter().all(|p| lower(p))
        && !number.is_empty()
        && number.bytes().all(|b| b.is_ascii_digit())
}

/// Is `arn` an IAM role ARN (`arn:<partition>:iam::<12-digit account>:role/<path/name>`)?
pub(crate) fn is_role_arn(arn: &str) -> bool {
    let parts: Vec<&str> = arn.splitn(6, ':').collect();
    let [scheme, partition, service, region, account, resource] = parts[..] else {
        return false;
    };
    scheme == "arn"
        && partition.starts_with("aws")
        && service == "iam"
        && region.is_empty()
        && account.len() == 12
        && account.bytes().all(|b| b.is_ascii_digit())
        && resource
            .strip_prefix("role/")
            .is_some_and(|name| !name.is_empty() && !name.ends_with('/'))
}

/// Make (or reuse) the session a provider stands for: validate the region and the credentials, assume a
/// federated role (refused when the policy does not allow it, or a fault says so), and record the call.
pub(crate) fn make_provider(
    aws: &AwsState,
    principal: Principal,
    region: &str,
    invocation_id: &str,
) -> Result<Arc<AwsSession>, AwsError> {
    let malformed =
        |message: String| AwsError::new(AwsErrorKind::Malformed, "ValidationError", message);
    let (operation, params) = match &principal {
        Principal::Key { id, .. } => (
            "StaticCredentials",
            serde_json::json!({"region": region, "access_key_id": id}),
        ),
        Principal::Role(role_arn) => (
            "AssumeRole",
            serde_json::json!({"region": region, "role_arn": role_arn}),
        ),
    };
    let name = principal.name().to_owned();
    let result = (|| {
        if !is_region(region) {
            return Err(malformed(format!(
                "`{region}` is not an AWS region (e.g. us-east-1)"
            )));
        }
        match &principal {
            Principal::Key { id, secret } => {
                if id.is_empty() || !id.bytes().all(|b| b.is_ascii_alphanumeric()) {
                    return Err(malformed(format!(
                        "the access key id `{id}` is not well formed (letters and digits, e.g. AKIAIOSFODNN7EXAMPLE)"
                    )));
                }
                if secret.is_empty() {
                    return Err(malformed(format!(
                        "the secret access key of `{id}` is empty"
                    )));
                }
            }
            Principal::Role(arn) => {
                if !is_role_arn(arn) {
                    return Err(malformed(format!(
                        "`{arn}` is not an IAM role ARN (arn:aws:iam::<12-digit account>:role/<name>)"
                    )));
                }
                if !aws.role_allowed(arn) {
                    return Err(AwsError::new(
                        AwsErrorKind::Unauthorized,
                        "AccessDenied",
                        format!(
                            "the function host is not authorized to perform: sts:AssumeRole on resource: {arn}"
                        ),
                    ));
                }
            }
        }
        if let Some(fault) = aws.auth_fault(operation, &name) {
            return Err(fault);
        }
        Ok(aws.session(region, principal.clone()))
    })();
    aws.record(
        CallInfo {
            region,
            principal: &name,
            service: AwsService::Auth,
            operation,
            resource: &name,
            params,
            invocation_id,
        },
        result.as_ref().err().cloned(),
    );
    result
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::services::aws::AuthPolicy;

    fn keys(id: &str, secret: &str) -> Principal {
        Principal::Key {
            id: id.into(),
            secret: secret.into(),
        }
    }

    #[test]
    fn providers_validate_and_record_like_sts() {
        let role = "arn:aws:iam::123456789012:role/reader";
        let aws = AwsState::new(
            AuthPolicy {
                credentials: vec![("AKID".into(), "s".into())],
                roles: vec![role.into()],
                role_credentials: Vec::new(),
            },
            Vec::new(),
            Default::default(),
            Default::default(),
            Default::default(),
        );
        let fail = |principal, region: &str| {
            make_provider(&aws, principal, region, "inv-1").expect_err("refused")
        };
        assert_eq!(
            fail(keys("AKID", "s"), "mars").kind,
            AwsErrorKind::Malformed
        );
        assert!(
            fail(keys("bad key", "s"), "us-east-1")
                .message
                .contains("not well formed")
        );
        assert!(
            fail(keys("AKID", ""), "us-east-1")
                .message
                .contains("is empty")
        );
        assert!(
            fail(Principal::Role("admin".into()), "us-east-1")
                .message
                .contains("not an IAM role ARN")
        );
        let denied = fail(
            Principal::Role("arn:aws:iam::123456789012:role/other".into()),
            "us-east-1",
        );
        assert_eq!(
            (denied.kind, denied.code.as_str()),
            (AwsErrorKind::Unauthorized, "AccessDenied")
        );

        // Keys are checked when used, not here (as AWS does): a refused key still makes a provider.
        assert!(make_provider(&aws, keys("OTHER", "x"), "us-east-1", "inv-1").is_ok());
        let session = make_provider(&aws, Principal::Role(role.into()), "eu-west-1", "inv-1")
            .expect("allowed role");
        assert_eq!(session.region, "eu-west-1");

        let calls = aws.calls();
        assert_eq!(calls.len(), 7);
        assert_eq!(calls[5].operation, "StaticCredentials");
        assert_eq!(
            calls[5].params,
            serde_json::json!({"region": "us-east-1", "access_key_id": "OTHER"})
        );
        assert_eq!(calls[6].operation, "AssumeRole");
        assert_eq!(calls[6].resource, role);
        assert_eq!(calls[6].invocation_id, "inv-1");
        assert_eq!(calls.iter().filter(|c| c.error.is_some()).count(), 5);
    }

    #[test]
    fn regions() {
        for good in [
            "us-east-1",
            "eu-central-2",
            "us-gov-west-1",
            "ap-southeast-4",
        ] {
            assert!(is_region(good), "{good}");
        }
        for bad in [
            "",
            "us-east",
            "US-EAST-1",
            "us-east-x",
            "useast1",
            "us--1",
            "u-east-1",
        ] {
            assert!(!is_region(bad), "{bad}");
        }
    }

    #[test]
    fn role_arns() {
        assert!(is_role_arn("arn:aws:iam::123456789012:role/reader"));
        assert!(is_role_arn("arn:aws-cn:iam::123456789012:role/path/reader"));
        for bad in [
            "",
            "arn:aws:iam::12345:role/reader",
            "arn:aws:iam::123456789012:user/bob",
            "arn:aws:s3:::bucket",
            "arn:aws:iam::123456789012:role/",
            "arn:aws:iam:us-east-1:123456789012:role/r",
        ] {
            assert!(!is_role_arn(bad), "{bad}");
        }
    }
}
