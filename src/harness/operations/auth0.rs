//! The Auth0 operations (`auth0.*`): the Management API as a backend uses it (users, and the
//! tenant's configuration: applications and their grants, organizations), the authentication API's password
//! flows, and the browser login of a web application.

use serde_json::json;

use super::declare::Operation;

pub static OPERATIONS: &[Operation] = &[
    Operation {
        name: "auth0.get_management_token",
        phrases: &["fetches a management token"],
        reference: reference!(auth0, |client, provider, _args| client
            .management_token(provider)
            .await
            .map(|t| json!({ "access_token": t }))),
    },
    Operation {
        name: "auth0.create_password_change_ticket",
        phrases: &["password-change ticket"],
        reference: reference!(auth0, |client, provider, args| client
            .create_ticket(provider, args)
            .await),
    },
    Operation {
        name: "auth0.send_password_reset_email",
        phrases: &["asks for a password reset email"],
        reference: reference!(auth0, |client, provider, args| client
            .send_reset_email(provider, args)
            .await),
    },
    Operation {
        name: "auth0.set_user_password",
        phrases: &["sets the password of"],
        reference: reference!(auth0, |client, provider, args| client
            .set_password(provider, args)
            .await),
    },
    Operation {
        name: "auth0.find_users_by_email",
        phrases: &["looks up the users with email"],
        reference: reference!(auth0, |client, provider, args| client
            .find_by_email(provider, args)
            .await),
    },
    Operation {
        name: "auth0.login_with_password",
        phrases: &["logs in as"],
        reference: reference!(auth0, |client, provider, args| client.login(provider, args).await),
    },
    Operation {
        name: "auth0.verify_mfa_otp",
        phrases: &["answers the second factor"],
        reference: reference!(auth0, |client, provider, args| client
            .verify_mfa_otp(provider, args)
            .await),
    },
    Operation {
        name: "auth0.begin_login",
        phrases: &["starts a login with the callback"],
        reference: reference!(auth0, |client, provider, args| client.begin_login(provider, args)),
    },
    Operation {
        name: "auth0.begin_organization_login",
        phrases: &["signs in through the organization", "accepts the invitation to"],
        reference: reference!(auth0, |client, provider, args| client.begin_login(provider, args)),
    },
    Operation {
        name: "auth0.complete_login",
        phrases: &[
            "signs in on the login page",
            "starts a silent login",
            "handed to the client again",
        ],
        reference: reference!(auth0, |client, provider, args| client
            .complete_login(provider, args)
            .await),
    },
    Operation {
        name: "auth0.begin_step_up",
        phrases: &["asks for a second factor"],
        reference: reference!(auth0, |client, provider, args| client.begin_step_up(provider, args)),
    },
    Operation {
        name: "auth0.refresh_tokens",
        phrases: &["refreshes its tokens"],
        reference: reference!(auth0, |client, provider, _args| client.refresh_tokens(provider).await),
    },
    Operation {
        name: "auth0.get_userinfo",
        phrases: &["reads the user's profile"],
        reference: reference!(auth0, |client, provider, _args| client.get_userinfo(provider).await),
    },
    Operation {
        name: "auth0.logout",
        phrases: &["logs out back to"],
        reference: reference!(auth0, |client, provider, args| client.logout(provider, args)),
    },
    Operation {
        name: "auth0.create_user",
        phrases: &["creates the user"],
        reference: reference!(auth0, |client, provider, args| client.create_user(provider, args).await),
    },
    Operation {
        name: "auth0.search_users",
        phrases: &["searches the users with"],
        reference: reference!(auth0, |client, provider, args| client
            .search_users(provider, args)
            .await),
    },
    Operation {
        name: "auth0.delete_user",
        phrases: &["deletes the user"],
        reference: reference!(auth0, |client, provider, args| client.delete_user(provider, args).await),
    },
    Operation {
        name: "auth0.send_verification_email",
        phrases: &["a verification email"],
        reference: reference!(auth0, |client, provider, args| client
            .send_verification_email(provider, args)
            .await),
    },
    Operation {
        name: "auth0.assign_roles",
        phrases: &["the client gives"],
        reference: reference!(auth0, |client, provider, args| client
            .assign_roles(provider, args)
            .await),
    },
    Operation {
        name: "auth0.unblock_user",
        phrases: &["the client unblocks"],
        reference: reference!(auth0, |client, provider, args| client
            .unblock_user(provider, args)
            .await),
    },
    Operation {
        name: "auth0.create_client",
        phrases: &["creates the machine-to-machine application"],
        reference: reference!(auth0, |client, provider, args| client
            .create_client(provider, args)
            .await),
    },
    Operation {
        name: "auth0.update_client",
        phrases: &["changes the callbacks of"],
        reference: reference!(auth0, |client, provider, args| client
            .update_client(provider, args)
            .await),
    },
    Operation {
        name: "auth0.create_client_grant",
        phrases: &["grants the application"],
        reference: reference!(auth0, |client, provider, args| client
            .create_client_grant(provider, args)
            .await),
    },
    Operation {
        name: "auth0.create_organization",
        phrases: &["creates the organization"],
        reference: reference!(auth0, |client, provider, args| client
            .create_organization(provider, args)
            .await),
    },
    Operation {
        name: "auth0.add_organization_members",
        phrases: &["a member of the organization"],
        reference: reference!(auth0, |client, provider, args| client
            .add_organization_members(provider, args)
            .await),
    },
    Operation {
        name: "auth0.import_users",
        phrases: &["imports a users file holding"],
        reference: reference!(auth0, |client, provider, args| client
            .import_users(provider, args)
            .await),
    },
    Operation {
        name: "auth0.delete_client_grant",
        phrases: &["deletes the grant of"],
        reference: reference!(auth0, |client, provider, args| client
            .delete_client_grant(provider, args)
            .await),
    },
];
