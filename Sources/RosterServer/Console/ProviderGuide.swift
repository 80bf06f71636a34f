import Directory

/// What an admin is told, step by step, to connect one identity provider to Roster.
struct ProviderGuide: Sendable {
    /// The provider.
    let provider: IdentityProviderType
    /// One sentence shown on the provider's card in the catalog.
    let summary: String
    /// Steps in the provider's console to turn on SCIM provisioning: where to paste Roster's SCIM base URL and API key. Nil for SSO-only providers.
    let provisioningSteps: [String]?
    /// Attribute mappings to keep (or add) in the provider's provisioning settings. Empty for SSO-only providers.
    let attributeMappings: [String]
    /// Steps to create the SAML application in the provider's console, including where to paste Roster's SP entity ID and ACS URL.
    let samlAppSteps: [String]
    /// Which NameID format to choose and how the provider labels it.
    let nameIDFormat: String
    /// Where in the provider's console its IdP entity ID (issuer), SSO URL and signing certificate (or metadata XML) are found.
    let idpValuesSteps: [String]
    /// A short note on what to check when the first sign-in or first sync fails with this provider.
    let troubleshooting: [String]

    /// The guide for a provider.
    static func guide(for provider: IdentityProviderType) -> ProviderGuide {
        switch provider {
        case .okta:
            return ProviderGuide(
                provider: provider,
                summary: "Okta signs people in to Roster with SAML and pushes users and groups over SCIM 2.0, both from one custom app integration.",
                provisioningSteps: [
                    "Open the Roster app's General tab, click Edit in App Settings, set Provisioning to SCIM and click Save.",
                    "Go to the new Provisioning tab, choose Integration under Settings and click Edit.",
                    "Paste the SCIM base URL shown above into SCIM connector base URL, and type userName in Unique identifier field for users.",
                    "Under Supported provisioning actions, check Import New Users and Profile Updates, Push New Users, Push Profile Updates and Push Groups.",
                    "Set Authentication Mode to HTTP Header, paste the API key shown above (it starts with rsk_) as the Bearer token, click Test Connector Configuration, then Save.",
                    "Under Provisioning > To App, click Edit, enable Create Users, Update User Attributes and Deactivate Users, and click Save.",
                    "On the Push Groups tab, choose Push Groups > Find groups by name and add each group Roster should receive.",
                    "Using an Okta catalog SCIM 2.0 app instead? The same URL and key go under Provisioning > Configure API Integration > Enable API integration.",
                ],
                attributeMappings: [
                    "userName: Okta sends the Application username, so keep Application username format set to Email on the Sign On tab.",
                    "name.givenName from user.firstName and name.familyName from user.lastName (default mappings; keep them).",
                    "emails (primary work email) from user.email (default; keep it).",
                    "displayName from user.displayName; keep it, or add it in Directory > Profile Editor under the Roster app's mappings.",
                    "Optional: department and manager (enterprise extension) from user.department and user.manager.",
                    "Groups: pushed groups arrive with their Okta name as displayName plus their members; in a help-center directory each one becomes a customer organization.",
                ],
                samlAppSteps: [
                    "In the Okta Admin Console, go to Applications > Applications and click Create App Integration.",
                    "Choose SAML 2.0, click Next, enter Roster as the App name and click Next.",
                    "Paste Roster's ACS URL into Single sign-on URL and keep Use this for Recipient URL and Destination URL checked.",
                    "Paste Roster's SP entity ID into Audience URI (SP Entity ID).",
                    "Set Name ID format to EmailAddress and Application username to Email.",
                    "Optional: under Attribute Statements add email = user.email, firstName = user.firstName, lastName = user.lastName and displayName = user.displayName.",
                    "Click Next, mark it as an internal app you created, and click Finish.",
                    "On the Assignments tab, assign the people or groups who should use Roster.",
                ],
                nameIDFormat: "EmailAddress. On the SAML settings page pick EmailAddress in the Name ID format list and set Application username to Email.",
                idpValuesSteps: [
                    "Open the Roster app's Sign On tab.",
                    "Copy the Metadata URL, open it, save the XML and upload it to Roster.",
                    "Or click More details (View SAML setup instructions in older consoles) and copy Sign on URL, Issuer and the Signing Certificate into Roster.",
                ],
                troubleshooting: [
                    "Test Connector Configuration fails: paste the SCIM base URL exactly as shown and the whole API key starting with rsk_.",
                    "Someone is missing in Roster: Okta only pushes assigned users; check the Assignments tab and Reports > System Log for the error.",
                    "Sign-in is refused: the Name ID must be the same email as the user's userName in Roster; check Application username format on the Sign On tab.",
                    "The Okta End-User Dashboard tile starts an IdP-initiated sign-in, which Roster refuses unless you enabled it; start from Roster's sign-in page.",
                ]
            )
        case .entraId:
            return ProviderGuide(
                provider: provider,
                summary: "Microsoft Entra ID signs people in to Roster with SAML and provisions users and groups with its built-in SCIM client.",
                provisioningSteps: [
                    "In the Roster enterprise application, open Provisioning and click Get started (or Connect your application).",
                    "Set Provisioning Mode to Automatic.",
                    "Under Admin Credentials, paste the SCIM base URL shown above into Tenant URL and the API key shown above (it starts with rsk_) into Secret Token.",
                    "Click Test Connection, then Save.",
                    "Under Settings, set Scope to Sync only assigned users and groups; assign them on the Users and groups page.",
                    "Check the Mappings listed below, set Provisioning Status to On and Save; the first cycle starts now and later ones run about every 40 minutes.",
                ],
                attributeMappings: [
                    "userName from userPrincipalName (default). If UPNs are not the email addresses, change it to mail so it matches the SAML Name ID.",
                    "emails[type eq \"work\"].value from mail, name.givenName from givenName, name.familyName from surname, displayName from displayName (defaults; keep them).",
                    "active from Switch([IsSoftDeleted], , \"False\", \"True\", \"True\", \"False\") (default; keep it so disabled users are deactivated in Roster).",
                    "externalId from mailNickname by default; change it to objectId if you want Roster to store Entra's immutable ID.",
                    "Enterprise extension department from department and manager from manager (defaults; keep them if you want them in Roster).",
                    "Provision Microsoft Entra ID Groups: displayName from displayName and members from members; in a help-center directory each group becomes a customer organization.",
                ],
                samlAppSteps: [
                    "In the Microsoft Entra admin center, open Enterprise applications (Identity > Applications, or Entra ID > Enterprise apps) and click New application.",
                    "Click Create your own application, enter Roster, choose Integrate any other application you don't find in the gallery (Non-gallery) and click Create.",
                    "In the new app, open Single sign-on and choose SAML.",
                    "In Basic SAML Configuration click Edit; under Identifier (Entity ID) click Add identifier and paste Roster's SP entity ID.",
                    "Under Reply URL (Assertion Consumer Service URL) click Add reply URL, paste Roster's ACS URL, leave Sign on URL and Relay State empty, and Save.",
                    "In Attributes & Claims click Edit and set the Name ID as described below; optionally add claims named email, givenName, surname and displayName with an empty Namespace.",
                    "Open Users and groups, click Add user/group and assign the people or groups who should use Roster.",
                ],
                nameIDFormat: "Email address. In Attributes & Claims open Unique User Identifier (Name ID), set Choose name identifier format to Email address and Source attribute to user.mail (or user.userprincipalname if UPNs are the email addresses).",
                idpValuesSteps: [
                    "On the app's Single sign-on page, under SAML Certificates, download Federation Metadata XML and upload it to Roster.",
                    "Or copy Microsoft Entra Identifier and Login URL from the Set up Roster section, and download Certificate (Base64) as the signing certificate.",
                    "Keep the certificate Active and the signing settings at Sign SAML assertion with SHA-256 (the defaults).",
                ],
                troubleshooting: [
                    "AADSTS50011 means the Reply URL doesn't match: paste Roster's ACS URL again, exactly.",
                    "AADSTS700016 means the Identifier doesn't match: paste Roster's SP entity ID again, exactly.",
                    "AADSTS50105 means the user isn't assigned: add them or their group under Users and groups.",
                    "Roster can't find the user: the Name ID source (mail or UPN) must equal the userName that provisioning sends.",
                    "For sync problems, run Provision on demand for one user and read the Provisioning logs; a failed Test Connection means a wrong Tenant URL or Secret Token.",
                    "The My Apps tile starts an IdP-initiated sign-in, which Roster refuses unless you enabled it.",
                ]
            )
        case .googleWorkspace:
            return ProviderGuide(
                provider: provider,
                summary: "Google Workspace signs people in to Roster through a custom SAML app; Google can't push users to custom apps, so syncing needs a separate SCIM tool.",
                provisioningSteps: [
                    "Google's automatic user provisioning only works for apps in Google's own catalog, so it cannot push users or groups to a custom SAML app like Roster.",
                    "To sync anyway, run a SCIM 2.0 sync tool or script that reads the Google Admin SDK Directory API and writes to the SCIM base URL shown above.",
                    "Have it send the header Authorization: Bearer followed by the API key shown above (it starts with rsk_).",
                    "Run it on a schedule; Roster filters on userName, externalId and emails and accepts Bulk requests, so repeat runs can update users instead of duplicating them.",
                    "Without such a tool you get single sign-on only, and users and groups must be managed in Roster some other way.",
                ],
                attributeMappings: [
                    "userName from primaryEmail.",
                    "externalId from id (Google's user ID).",
                    "emails (primary work email) from primaryEmail; name.givenName from name.givenName; name.familyName from name.familyName.",
                    "active from the opposite of suspended.",
                    "Optional: department (enterprise extension) from organizations[0].department.",
                    "Groups: displayName from the Google group's name and members from its members; in a help-center directory each group becomes a customer organization.",
                ],
                samlAppSteps: [
                    "In the Google Admin console, go to Apps > Web and mobile apps and click Add app > Add custom SAML app.",
                    "Enter Roster as the App name and click Continue.",
                    "On Google Identity Provider details, download the metadata or copy the values (see below), then click Continue.",
                    "Paste Roster's ACS URL into ACS URL and Roster's SP entity ID into Entity ID; leave Start URL empty.",
                    "Leave Signed response unchecked (Google always signs the assertion), set Name ID format and Name ID as below, and click Continue.",
                    "Optional: under Attribute mapping, map Primary email to email, First name to givenName and Last name to surname, then click Finish.",
                    "Open the app's User access panel, choose ON for everyone (or for chosen organizational units or groups) and Save; it can take up to 24 hours to reach everyone.",
                ],
                nameIDFormat: "EMAIL. In Service provider details set Name ID format to EMAIL and Name ID to Basic Information > Primary email.",
                idpValuesSteps: [
                    "The Google Identity Provider details step of the wizard shows SSO URL, Entity ID and Certificate, with a Download Metadata button.",
                    "Later, open Apps > Web and mobile apps > Roster and use Download metadata on the app's page.",
                    "Upload the metadata XML to Roster, or paste the Entity ID, SSO URL and certificate; Google's certificate is valid for five years.",
                ],
                troubleshooting: [
                    "Error app_not_configured_for_user: User access is off for that person's organizational unit, or Entity ID doesn't exactly match Roster's SP entity ID.",
                    "Just switched User access on? Test with someone in an organizational unit you turned on first, since the change spreads slowly.",
                    "The Name ID must be Primary email; an alias address won't match the user in Roster.",
                    "Opening Roster from the Google app launcher is an IdP-initiated sign-in, which Roster refuses unless you enabled it.",
                    "The sync tool gets 401 errors: check that the header reads Bearer followed by the full rsk_ key.",
                ]
            )
        case .onelogin:
            return ProviderGuide(
                provider: provider,
                summary: "OneLogin's SCIM Provisioner with SAML (SCIM v2 Enterprise) connector handles both sign-in to Roster and user and group provisioning.",
                provisioningSteps: [
                    "On the Roster app's Configuration tab, under API Connection, paste the SCIM base URL shown above into SCIM Base URL and the API key shown above (it starts with rsk_) into SCIM Bearer Token.",
                    "Keep the default SCIM JSON Template (core and enterprise schemas) unless you need extra fields.",
                    "Click Enable next to API Status, wait until it shows Enabled, and Save.",
                    "On the Provisioning tab, check Enable provisioning and clear the Require admin approval boxes for Create, Delete and Update so changes flow on their own.",
                    "Choose what happens when users are deleted or removed from the app (Delete or Suspend) and Save.",
                    "On the Parameters tab, set SCIM Username to Email; to push groups, open Groups, check Include in User Provisioning, and pick the groups with a rule on the Rules tab.",
                ],
                attributeMappings: [
                    "userName from the SCIM Username parameter, set to Email.",
                    "name.givenName from First Name, name.familyName from Last Name and emails from Email (already in the default SCIM JSON Template).",
                    "Optional: department and manager come from the enterprise part of the template; add matching parameters on the Parameters tab if you use them.",
                    "Groups: the Groups parameter plus a rule on the Rules tab decides which groups are pushed with their members; in a help-center directory each becomes a customer organization.",
                ],
                samlAppSteps: [
                    "In the OneLogin admin portal, go to Applications > Applications and click Add App.",
                    "Search for SCIM Provisioner with SAML (SCIM v2 Enterprise), select it, name it Roster and Save.",
                    "On the Configuration tab, paste Roster's SP entity ID into SAML Audience URL and Roster's ACS URL into SAML Consumer URL.",
                    "On the Parameters tab, set SAML NameID (Subject) to Email.",
                    "Optional: add parameters named email, givenName, surname and displayName, each with Include in SAML assertion checked.",
                    "On the SSO tab, set SAML Signature Algorithm to SHA-256 and Save.",
                    "Give access on the Access tab (roles) or from each user's Applications tab.",
                ],
                nameIDFormat: "Email. Set SAML NameID (Subject) to Email on the Parameters tab; if your connector shows a SAML nameID format field, pick Email there too.",
                idpValuesSteps: [
                    "Open the Roster app's SSO tab.",
                    "Copy Issuer URL (the IdP entity ID) and SAML 2.0 Endpoint (HTTP) (the SSO URL) into Roster.",
                    "Under X.509 Certificate click View Details and copy or download the PEM certificate.",
                    "Or choose More Actions > SAML Metadata and upload the XML to Roster instead.",
                ],
                troubleshooting: [
                    "API Status won't turn Enabled: check that SCIM Base URL has nothing added after the directory ID and the token is the whole rsk_ key.",
                    "Users wait under Users > Provisioning: approve them there or clear the Require admin approval boxes.",
                    "Roster refuses the signature: set SAML Signature Algorithm to SHA-256 on the SSO tab.",
                    "Opening Roster from the OneLogin portal is an IdP-initiated sign-in, which Roster refuses unless you enabled it.",
                ]
            )
        case .jumpcloud:
            return ProviderGuide(
                provider: provider,
                summary: "JumpCloud connects through a custom SAML application whose Identity Management tab also pushes users and groups to Roster over SCIM 2.0.",
                provisioningSteps: [
                    "Open the Roster application and go to its Identity Management tab.",
                    "Set SCIM Version to SCIM 2.0, paste the SCIM base URL shown above into Base URL and the API key shown above (it starts with rsk_) into Token Key.",
                    "Enter the email of an existing JumpCloud user in Test User Email and click Test Connection.",
                    "Check Enable management of User Groups and Group Membership in this application to push groups.",
                    "Click Activate, then Save; members of the groups bound on the User Groups tab are provisioned.",
                ],
                attributeMappings: [
                    "userName: should be the user's email; after the first sync, check that the test user's userName in Roster is their email.",
                    "name.givenName, name.familyName, emails and displayName come from each JumpCloud user's first name, last name, email and display name, so fill those fields.",
                    "active: removing a user from the bound user groups makes JumpCloud deactivate them in Roster.",
                    "Groups: bound user groups are pushed with displayName and members; in a help-center directory each becomes a customer organization.",
                ],
                samlAppSteps: [
                    "In the JumpCloud Admin Portal, go to SSO Applications and click Add New Application (older consoles: + > Custom SAML App).",
                    "Choose Custom Application, click Next, tick Manage Single Sign-On (SSO) with Configure SSO with SAML and Export users to this app (Identity Management), then Next.",
                    "Enter Roster as the Display Label, click Save Application, then Configure Application.",
                    "On the SSO tab, type a unique IdP Entity ID of your choice, for example your company name followed by -roster.",
                    "Paste Roster's SP entity ID into SP Entity ID and Roster's ACS URL into ACS URLs.",
                    "Set SAMLSubject NameID and its format as below, choose RSA-SHA256 as Signature Algorithm, and sign the assertion (or the response).",
                    "Optional: under Attributes add email = email, givenName = firstname and surname = lastname.",
                    "On the User Groups tab, tick the groups who may use Roster, then click Activate or Save.",
                ],
                nameIDFormat: "Set SAMLSubject NameID to email and SAMLSubject NameID Format to urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress.",
                idpValuesSteps: [
                    "IdP entity ID: the IdP Entity ID you typed on the SSO tab.",
                    "SSO URL: the IDP URL shown on the SSO tab.",
                    "Certificate: on the SSO tab open IDP Certificate Valid and choose Download certificate (PEM).",
                    "Or click Export Metadata on the SSO tab and upload the XML to Roster.",
                ],
                troubleshooting: [
                    "Test Connection fails: check Base URL and Token Key, and that Test User Email belongs to an existing JumpCloud user.",
                    "Nobody is provisioned: users only sync when they belong to a user group bound on the app's User Groups tab.",
                    "Sign-in is refused: Roster must hold exactly the IdP Entity ID you typed in JumpCloud.",
                    "Opening Roster from the JumpCloud User Console is an IdP-initiated sign-in, which Roster refuses unless you enabled it.",
                ]
            )
        case .ping:
            return ProviderGuide(
                provider: provider,
                summary: "PingOne signs people in to Roster through a SAML application and provisions users and groups through a SCIM Outbound connection.",
                provisioningSteps: [
                    "In the PingOne admin console, go to Integrations > Provisioning, click + and choose New connection.",
                    "On the Identity Store row click Select, pick SCIM Outbound, click Next and name the connection Roster.",
                    "Paste the SCIM base URL shown above into SCIM base URL; set Users resource to /Users, Groups resource to /Groups and SCIM version to 2.0.",
                    "Set Authentication method to OAuth 2 Bearer Token, paste the API key shown above (it starts with rsk_) into OAuth Access Token, set Auth Type Header to Bearer, and click Test Connection.",
                    "On Configure preferences, use userName as the user identifier, allow users to be created, updated and disabled, Save, and switch the connection on.",
                    "Back in Provisioning, click + > New rule, pick the Roster connection, set the user filter, add groups under Group Provisioning, and switch the rule on.",
                ],
                attributeMappings: [
                    "userName from Email Address (change it from Username unless your usernames are email addresses).",
                    "externalId from User ID (PingOne's immutable ID).",
                    "emails from Email Address, name.givenName from Given Name, name.familyName from Family Name, displayName from Formatted name.",
                    "active from Enabled.",
                    "Groups added under Group Provisioning are pushed with their members; in a help-center directory each becomes a customer organization.",
                ],
                samlAppSteps: [
                    "In the PingOne admin console, go to Connections > Applications (Applications > Applications in newer consoles) and click +.",
                    "Enter Roster as the name, choose SAML Application and click Configure.",
                    "Choose Import From URL and paste Roster's SP entity ID (it is also Roster's metadata URL), or choose Manually Enter.",
                    "If entering manually, paste Roster's ACS URL into ACS URLs and Roster's SP entity ID into Entity ID, then Save.",
                    "On the Configuration tab click the pencil, set Subject NameID Format as below, keep the RSA_SHA256 signing algorithm, sign the assertion (or response), and Save.",
                    "On the Attribute Mappings tab, map saml_subject to Email Address; optionally add email = Email Address, givenName = Given Name, surname = Family Name.",
                    "On the Access tab add the groups who may use Roster, then switch the application's toggle on.",
                ],
                nameIDFormat: "urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress, chosen in Subject NameID Format on the Configuration tab, with saml_subject mapped to Email Address.",
                idpValuesSteps: [
                    "Open the application's Configuration tab.",
                    "Under Connection Details copy Issuer ID (the IdP entity ID) and Single Signon Service (the SSO URL) into Roster.",
                    "Click Download Signing Certificate and choose the X509 PEM format.",
                    "Or click Download Metadata and upload the XML to Roster.",
                ],
                troubleshooting: [
                    "Test Connection fails: check the SCIM base URL and the rsk_ key, and that Auth Type Header is Bearer.",
                    "Nobody syncs: both the connection and the rule must be switched on, and the rule's user filter must match; see Monitoring > Audit.",
                    "Sign-in is refused: saml_subject must be Email Address, and the user's group must be on the Access tab of an enabled application.",
                    "The PingOne application portal tile starts an IdP-initiated sign-in, which Roster refuses unless you enabled it.",
                ]
            )
        case .auth0:
            return ProviderGuide(
                provider: provider,
                summary: "Auth0 signs people in to Roster through its SAML2 Web App addon; it has no built-in SCIM push to apps, so provisioning uses an Event Streams Action.",
                provisioningSteps: [
                    "Auth0 has no built-in SCIM provisioning to apps; its SCIM support only receives users for enterprise connections.",
                    "To push users to Roster, use Auth0 Event Streams with the outbound SCIM 2.0 user provisioning Action template (Event Streams need a plan that includes them).",
                    "Create the Action from that template and add two secrets: SCIM_BASE_URL = the SCIM base URL shown above, SCIM_BEARER_TOKEN = the API key shown above (it starts with rsk_).",
                    "Create an event stream with that Action as its destination, subscribed to user.created, user.updated and user.deleted.",
                    "The template syncs users only, not groups: manage groups in Roster or push them with another SCIM-capable connector.",
                ],
                attributeMappings: [
                    "userName from email: check that the template's buildScimUser() sets userName to the user's email, since Roster uses it as the login.",
                    "externalId from the Auth0 user_id (the template sets it and finds users by filtering on externalId, which Roster supports).",
                    "emails from email, name.givenName from given_name, name.familyName from family_name, displayName from name.",
                    "Blocked Auth0 users are deactivated in Roster and deleted users are deleted.",
                ],
                samlAppSteps: [
                    "In the Auth0 Dashboard, go to Applications > Applications, click Create Application, name it Roster, choose Regular Web Applications and click Create.",
                    "Open the app's Addons tab and switch on SAML2 Web App.",
                    "On the addon's Settings tab, paste Roster's ACS URL into Application Callback URL.",
                    "Replace the Settings JSON with: {\"audience\": \"<Roster's SP entity ID>\", \"signatureAlgorithm\": \"rsa-sha256\", \"digestAlgorithm\": \"sha256\", \"nameIdentifierFormat\": \"urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress\", \"nameIdentifierProbes\": [\"http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress\"], \"mappings\": {\"given_name\": \"givenName\", \"family_name\": \"surname\", \"name\": \"displayName\"}}",
                    "Click Debug to preview the response, then Save.",
                    "On the app's Connections tab, switch on the connections your people sign in with.",
                ],
                nameIDFormat: "emailAddress. Set nameIdentifierFormat to urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress and nameIdentifierProbes to the emailaddress claim in the addon settings; otherwise Auth0 sends the user_id (such as auth0|123) as NameID.",
                idpValuesSteps: [
                    "Open the SAML2 Web App addon's Usage tab.",
                    "Copy Issuer (the IdP entity ID) and Identity Provider Login URL (the SSO URL) into Roster.",
                    "Download the certificate from Identity Provider Certificate (PEM).",
                    "Or download Identity Provider Metadata and upload the XML to Roster.",
                ],
                troubleshooting: [
                    "Roster refuses the signature: set signatureAlgorithm to rsa-sha256 and digestAlgorithm to sha256, since the addon may otherwise sign with SHA-1.",
                    "Roster can't find the user: the NameID is the Auth0 user_id; set nameIdentifierFormat and nameIdentifierProbes as shown.",
                    "Audience errors: audience must be exactly Roster's SP entity ID.",
                    "Failed SCIM deliveries are retried, then moved to the event stream's dead-letter queue; check it and the Action's logs.",
                ]
            )
        case .cyberark:
            return ProviderGuide(
                provider: provider,
                summary: "CyberArk Identity connects through a custom SAML web app whose Provisioning tab pushes users, and roles as groups, to Roster over SCIM.",
                provisioningSteps: [
                    "Open the Roster app's Provisioning tab, check Enable provisioning for this application and confirm with Yes.",
                    "Paste the SCIM base URL shown above into SCIM Service URL and the API key shown above (it starts with rsk_) as the bearer token, then click Verify.",
                    "Once verified, clear Do not de-provision (deactivate or delete) users in target application so leavers are deactivated in Roster.",
                    "Under role mapping click Add and map each CyberArk role you want in Roster to a group name.",
                    "Save; users with permission on the app are provisioned at the next sync.",
                ],
                attributeMappings: [
                    "userName: CyberArk sends the mapped user name, so with Account Mapping set to mail it is the email; check the first synced user in Roster.",
                    "name.givenName, name.familyName, emails and displayName come from the user's first name, last name, email and display name; adjust them in the Provisioning tab's script if needed.",
                    "Roles mapped on the Provisioning tab arrive as groups with displayName and members; in a help-center directory each becomes a customer organization.",
                ],
                samlAppSteps: [
                    "In the Identity Administration portal, go to Apps & Widgets > Web Apps and click Add Web Apps.",
                    "On the Custom tab, click Add next to SAML, confirm with Yes and close the catalog.",
                    "On Settings, name the app Roster and Save.",
                    "On Trust, under Service Provider Configuration choose Manual Configuration; paste Roster's SP entity ID into SP Entity ID / Issuer / Audience and Roster's ACS URL into Assertion Consumer Service (ACS) URL.",
                    "Set NameID Format as below, sign the assertion (or the response), and Save.",
                    "On Account Mapping, choose Directory Service Field and enter mail so the NameID is the user's email.",
                    "Optional: on SAML Response add attributes email = LoginUser.Email, givenName = LoginUser.FirstName, surname = LoginUser.LastName.",
                    "On Permissions, add the roles or users who may use Roster and Save.",
                ],
                nameIDFormat: "emailAddress, chosen in NameID Format under Service Provider Configuration on the Trust tab, with Account Mapping set to the mail field.",
                idpValuesSteps: [
                    "Open the app's Trust tab, Identity Provider Configuration section.",
                    "Choose Metadata, click Download Metadata File and upload it to Roster.",
                    "Or choose Manual Configuration and copy IdP Entity ID / Issuer and Single Sign On URL, then download the Signing Certificate.",
                ],
                troubleshooting: [
                    "Verify fails: paste SCIM Service URL exactly as shown and the whole rsk_ key.",
                    "Someone isn't synced: they need permission on the app, directly or through a role, on the Permissions tab.",
                    "Sign-in is refused: Account Mapping must use mail; the default login name (user@suffix) won't match Roster's userName.",
                    "Opening Roster from the CyberArk User Portal is an IdP-initiated sign-in, which Roster refuses unless you enabled it.",
                ]
            )
        case .adfs:
            return ProviderGuide(
                provider: provider,
                summary: "AD FS signs people in to Roster with SAML from your Active Directory; it offers single sign-on only, not provisioning.",
                provisioningSteps: nil,
                attributeMappings: [],
                samlAppSteps: [
                    "On the AD FS server, open AD FS Management, right-click Relying Party Trusts and choose Add Relying Party Trust.",
                    "Choose Claims aware and click Start.",
                    "Choose Import data about the relying party published online or on a local network, paste Roster's SP entity ID (it is also Roster's metadata URL) and click Next.",
                    "If the server can't reach Roster, choose Enter data about the relying party manually: tick Enable support for the SAML 2.0 WebSSO protocol, paste Roster's ACS URL, and add Roster's SP entity ID as the relying party trust identifier.",
                    "Name it Roster, choose an access control policy (Permit everyone, or a group), and finish with Configure claims issuance policy for this application ticked.",
                    "Add a rule from the Send LDAP Attributes as Claims template with attribute store Active Directory: E-Mail-Addresses to E-Mail Address, and Given-Name, Surname and Display-Name to claims you type as givenName, surname and displayName.",
                    "Add a rule from the Transform an Incoming Claim template: incoming claim type E-Mail Address, outgoing claim type Name ID, outgoing name ID format Email.",
                    "In the trust's Properties, Advanced tab, keep SHA-256 as the secure hash algorithm.",
                ],
                nameIDFormat: "Email. A Transform an Incoming Claim rule turns E-Mail Address into Name ID with outgoing name ID format Email (urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress).",
                idpValuesSteps: [
                    "Easiest: download https://<your AD FS host>/FederationMetadata/2007-06/FederationMetadata.xml and upload it to Roster.",
                    "Or take the IdP entity ID from AD FS Management > Service > Edit Federation Service Properties > Federation Service Identifier (usually http://<host>/adfs/services/trust).",
                    "The SSO URL is https://<your AD FS host>/adfs/ls/.",
                    "For the certificate, open Service > Certificates, double-click the Token-signing certificate, and on Details use Copy to File with Base-64 encoded X.509 (.CER).",
                ],
                troubleshooting: [
                    "Read Event Viewer > Applications and Services Logs > AD FS > Admin for the failing request and its relying party.",
                    "A user without an email in Active Directory gets no Name ID; fill in their mail attribute.",
                    "Roster matches each sign-in by email, so the email in Active Directory must equal the user's email in Roster.",
                    "After AD FS rolls over its token-signing certificate, upload fresh metadata to Roster or sign-ins will fail.",
                ]
            )
        case .otherSAML:
            return ProviderGuide(
                provider: provider,
                summary: "Any SAML 2.0 identity provider can sign people in to Roster; this option is single sign-on only, without provisioning.",
                provisioningSteps: nil,
                attributeMappings: [],
                samlAppSteps: [
                    "In your identity provider, create a new SAML 2.0 application (it may be called a service provider or relying party) named Roster.",
                    "If it can import service provider metadata from a URL, give it Roster's SP entity ID, which is also Roster's metadata URL.",
                    "Otherwise set the entity ID (or audience) to Roster's SP entity ID and the ACS (reply or consumer) URL to Roster's ACS URL, with the HTTP-POST binding.",
                    "Have it sign the response or the assertion with RSA-SHA256.",
                    "Optionally send attributes named email, givenName (or firstName), surname (or lastName) and displayName.",
                    "Assign the people who may use Roster.",
                ],
                nameIDFormat: "urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress with the user's email as the value; providers label it Email, EmailAddress or E-Mail.",
                idpValuesSteps: [
                    "Easiest: download the provider's IdP metadata XML and upload it to Roster.",
                    "Or copy three values: the IdP entity ID (issuer), the single sign-on URL, and the X.509 signing certificate in PEM format.",
                ],
                troubleshooting: [
                    "The entity ID and ACS URL in your provider must match Roster's values exactly, character for character.",
                    "Roster refuses unsigned responses and SHA-1 signatures.",
                    "The NameID must be the email address, not a persistent or opaque ID.",
                    "Start sign-in from Roster: IdP-initiated sign-in is off unless you enabled it.",
                ]
            )
        }
    }
}
