//! The Janrain operations (`janrain.*`): the Capture password-recovery journey, the native
//! flows of a mobile application (registration, verification, refresh, the signed-in profile),
//! and the server-side Entity API.

use super::declare::Operation;

pub static OPERATIONS: &[Operation] = &[
    Operation {
        name: "janrain.send_password_recovery_email",
        phrases: &["asks Janrain to send a password recovery email"],
        reference: reference!(janrain, |client, provider, args| client
            .send_password_recovery_email(provider, args)
            .await),
    },
    Operation {
        name: "janrain.exchange_code",
        phrases: &["exchanges the recovery code"],
        reference: reference!(janrain, |client, provider, args| client
            .exchange_code(provider, args)
            .await),
    },
    Operation {
        name: "janrain.update_password",
        phrases: &["sets the new password"],
        reference: reference!(janrain, |client, provider, args| client
            .update_password(provider, args)
            .await),
    },
    Operation {
        name: "janrain.sign_in",
        phrases: &["signs in to Janrain"],
        reference: reference!(janrain, |client, provider, args| client.sign_in(provider, args).await),
    },
    Operation {
        name: "janrain.entity_find",
        phrases: &["finds the Janrain records matching"],
        reference: reference!(janrain, |client, provider, args| client
            .entity_find(provider, args)
            .await),
    },
    Operation {
        name: "janrain.entity_create",
        phrases: &["creates a Janrain record"],
        reference: reference!(janrain, |client, provider, args| client
            .entity_create(provider, args)
            .await),
    },
    Operation {
        name: "janrain.entity_update",
        phrases: &["changes the given name of the Janrain record"],
        reference: reference!(janrain, |client, provider, args| client
            .entity_update(provider, args)
            .await),
    },
    Operation {
        name: "janrain.entity_delete",
        phrases: &["deletes the Janrain record"],
        reference: reference!(janrain, |client, provider, args| client
            .entity_delete(provider, args)
            .await),
    },
    Operation {
        name: "janrain.register",
        phrases: &["registers a Janrain account"],
        reference: reference!(janrain, |client, provider, args| client.register(provider, args).await),
    },
    Operation {
        name: "janrain.resend_verification_email",
        phrases: &["asks Janrain to resend the verification link"],
        reference: reference!(janrain, |client, provider, args| client
            .resend_verification_email(provider, args)
            .await),
    },
    Operation {
        name: "janrain.verify_email",
        phrases: &["confirms the email address with the mailed code"],
        reference: reference!(janrain, |client, provider, args| client
            .verify_email(provider, args)
            .await),
    },
    Operation {
        name: "janrain.refresh_access_token",
        phrases: &["refreshes its Janrain access token"],
        reference: reference!(janrain, |client, provider, args| client
            .refresh_access_token(provider, args)
            .await),
    },
    Operation {
        name: "janrain.update_profile",
        phrases: &["edits the Janrain profile"],
        reference: reference!(janrain, |client, provider, args| client
            .update_profile(provider, args)
            .await),
    },
    Operation {
        name: "janrain.change_password",
        phrases: &["changes the Janrain password"],
        reference: reference!(janrain, |client, provider, args| client
            .change_password(provider, args)
            .await),
    },
];
