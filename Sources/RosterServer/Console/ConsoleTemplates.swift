/// The console's mustache templates. swift-mustache escapes `{{value}}` as HTML; `{{{…}}}` is used only for HTML the
/// console rendered itself (a page's content inside the layout, the stylesheet).
enum ConsoleTemplates {
    static let all: [String: String] = [
        "layout": layout, "message": message, "login": login, "home": home, "users": users, "groups": groups,
        "providers": providers, "catalog": catalog, "name": name, "wizard": wizard, "directory": directory,
        "disconnect": disconnect, "openLink": openLink, "domains": domains, "products": products, "portal": portal, "siteUsers": siteUsers,
    ]

    static let css = """
        *{box-sizing:border-box}body{margin:0;font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#172b4d;background:#f7f8f9}
        header{display:flex;gap:1rem;align-items:center;padding:.6rem 1.2rem;background:#0c66e4;color:#fff}header a{color:#fff}
        .brand{font-weight:700;text-decoration:none}.spacer{flex:1}header form{margin:0}header button{background:#fff;color:#0c66e4}
        .shell{display:flex;min-height:calc(100vh - 3rem)}nav{width:15rem;padding:1rem;background:#fff;border-right:1px solid #dfe1e6}
        nav a{display:block;padding:.35rem .6rem;border-radius:4px;color:#172b4d;text-decoration:none}nav a[aria-current]{background:#e9f2ff;color:#0c66e4;font-weight:600}
        nav .group{margin:.8rem 0 .2rem;font-size:.75rem;text-transform:uppercase;color:#626f86}
        main{flex:1;padding:1.2rem 2rem;max-width:72rem}h1{font-size:1.6rem;margin:.2rem 0 1rem}h2{font-size:1.15rem;margin:1.6rem 0 .6rem}
        .crumbs{font-size:.85rem;color:#626f86}.crumbs a{color:#626f86}
        .notice{background:#dcfff1;border:1px solid #4bce97;padding:.6rem .8rem;border-radius:4px}
        .error{background:#ffeceb;border:1px solid #f87168;padding:.6rem .8rem;border-radius:4px}
        .field-error{color:#ae2e24;font-size:.9rem;margin:.2rem 0 0}
        .card{background:#fff;border:1px solid #dfe1e6;border-radius:6px;padding:1rem 1.2rem;margin:0 0 1rem}
        .grid{display:grid;grid-template-columns:repeat(auto-fill,minmax(15rem,1fr));gap:1rem}
        .grid .card{margin:0}.badge{display:inline-block;font-size:.75rem;padding:0 .4rem;border-radius:3px;background:#e9f2ff;color:#0055cc;margin-right:.3rem}
        .badge.off{background:#f1f2f4;color:#626f86}.badge.ok{background:#dcfff1;color:#216e4e}.badge.warn{background:#fff7d6;color:#7f5f01}
        table{border-collapse:collapse;width:100%;background:#fff}th,td{text-align:left;padding:.45rem .6rem;border-bottom:1px solid #dfe1e6;vertical-align:top}
        th{font-size:.8rem;color:#626f86;text-transform:uppercase}
        label{display:block;font-weight:600;margin:.8rem 0 .2rem}input[type=text],input[type=email],input[type=url],input[type=number],input[type=search],select,textarea{width:100%;max-width:36rem;padding:.45rem;border:1px solid #8590a2;border-radius:4px;font:inherit}
        textarea{min-height:8rem;font-family:ui-monospace,monospace;font-size:.85rem}.hint{color:#626f86;font-size:.88rem;margin:.1rem 0}
        button,.button{display:inline-block;padding:.45rem .9rem;border-radius:4px;border:0;background:#0c66e4;color:#fff;font:inherit;font-weight:600;cursor:pointer;text-decoration:none}
        button.secondary,.button.secondary{background:#f1f2f4;color:#172b4d}button.danger{background:#c9372c}
        .copy{display:flex;gap:.5rem;align-items:center;margin:.2rem 0 .6rem}.copy code{flex:1;max-width:44rem;background:#f1f2f4;padding:.4rem .6rem;border-radius:4px;overflow-wrap:anywhere}
        .secret code{background:#fff7d6}.steps{display:flex;gap:.4rem;flex-wrap:wrap;list-style:none;padding:0;margin:0 0 1rem}
        .steps a,.steps span{display:block;padding:.3rem .7rem;border-radius:999px;background:#f1f2f4;color:#172b4d;text-decoration:none;font-size:.9rem}
        .steps [aria-current]{background:#0c66e4;color:#fff}ol.guide li{margin:.25rem 0}.inline{display:inline}.row{display:flex;gap:.6rem;align-items:end;flex-wrap:wrap}
        .row label{margin-top:0}.pager{display:flex;gap:1rem;align-items:center;margin:.8rem 0}
        """

    static let layout = """
        <!doctype html>
        <html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
        <title>{{title}} · Roster admin</title><style>{{{css}}}</style></head>
        <body><header><a class="brand" href="/admin">Roster admin</a>{{#organizationName}}<span>{{.}}</span>{{/organizationName}}<span class="spacer"></span>
        {{#who}}<span>{{.}}</span><form method="post" action="/admin/logout"><input type="hidden" name="_csrf" value="{{csrf}}"><button type="submit">Sign out</button></form>{{/who}}</header>
        <div class="shell">{{#hasNav}}<nav aria-label="Admin">{{#nav}}{{#heading}}<div class="group">{{heading}}</div>{{/heading}}{{#href}}<a href="{{href}}"{{#current}} aria-current="page"{{/current}}>{{label}}</a>{{/href}}{{/nav}}</nav>{{/hasNav}}
        <main>{{#hasCrumbs}}<p class="crumbs">{{#crumbs}}<a href="{{href}}">{{label}}</a> / {{/crumbs}}</p>{{/hasCrumbs}}<h1>{{title}}</h1>
        {{#notice}}<p class="notice" role="status">{{.}}</p>{{/notice}}{{#error}}<p class="error" role="alert">{{.}}</p>{{/error}}
        {{{content}}}</main></div>
        <script>
        document.querySelectorAll("button[data-copy]").forEach(function (b) {
          b.addEventListener("click", function () {
            var t = document.getElementById(b.getAttribute("data-copy")).textContent;
            var done = function () { b.textContent = "Copied"; setTimeout(function () { b.textContent = "Copy"; }, 1500); };
            if (navigator.clipboard && window.isSecureContext) { navigator.clipboard.writeText(t).then(done); return; }
            var range = document.createRange(); range.selectNodeContents(document.getElementById(b.getAttribute("data-copy")));
            var selection = window.getSelection(); selection.removeAllRanges(); selection.addRange(range);
            if (document.execCommand("copy")) { done(); }
          });
        });
        </script></body></html>
        """

    static let message = """
        {{#paragraphs}}<p>{{.}}</p>{{/paragraphs}}{{#link}}<p><a class="button" href="{{href}}">{{label}}</a></p>{{/link}}
        """

    static let openLink = """
        <div class="card"><p>Your organization's admin asked you to connect {{providerName}} to the Roster directory “{{directoryName}}”.
        The setup takes about ten minutes: you copy Roster's details into {{providerName}}, and {{providerName}}'s details into Roster.</p>
        <p class="hint">The link opens once, in this browser only, and works until {{expires}}. It shows only this directory's setup.</p>
        <form method="post"><p><button type="submit">Open the setup</button></p></form></div>
        """

    static let login = """
        <div class="card"><p>Sign in with your organization account. If your organization uses an identity provider, you continue there; otherwise Roster asks for your password.</p>
        <form method="post" action="/login"><label for="email">Work email</label><input id="email" name="email" type="email" autocomplete="username" required>
        <input type="hidden" name="RelayState" value="/admin/session"><p><button type="submit">Continue</button></p></form></div>
        """

    static let home = """
        <div class="grid">
        <div class="card"><h2>Plan</h2><p><span class="badge">{{plan}}</span></p>{{^guard}}<p class="hint">Identity provider directories, SSO for members and user provisioning need the Guard plan.</p>{{/guard}}</div>
        <div class="card"><h2>User management</h2><p><span class="badge">{{experience}}</span></p><p class="hint">{{experienceHint}}</p></div>
        <div class="card"><h2>Directory</h2><p>Directories: {{directoryCount}}</p><p><a href="{{base}}/directory/identity-providers">Identity providers</a> · <a href="{{base}}/directory/users">Users</a> · <a href="{{base}}/directory/groups">Groups</a></p></div>
        <div class="card"><h2>Domains</h2><p>Verified: {{verifiedDomains}} of {{domainCount}}</p><p><a href="{{base}}/domains">Domains</a></p></div>
        <div class="card"><h2>Products</h2><p>Sites: {{siteCount}}</p><p><a href="{{base}}/products">Products</a></p></div>
        </div>
        """

    static let users = """
        {{#hasTabs}}<p>{{#tabs}}<a class="button {{^current}}secondary{{/current}}" href="{{href}}">{{label}}</a> {{/tabs}}</p>{{/hasTabs}}
        <form method="get" class="row" role="search"><input type="hidden" name="directory" value="{{directoryId}}"><div><label for="q">Search users</label>
        <input id="q" type="search" name="q" value="{{q}}" placeholder="Name, username or email"></div><button type="submit">Search</button></form>
        <p class="hint">Users: {{total}}{{#q}} matching “{{q}}”{{/q}}</p>
        <table><thead><tr><th>User name</th><th>Name</th><th>Email</th><th>Status</th></tr></thead><tbody>
        {{#rows}}<tr><td>{{userName}}</td><td>{{displayName}}</td><td>{{email}}</td><td>{{#active}}<span class="badge ok">Active</span>{{/active}}{{^active}}<span class="badge off">Deactivated</span>{{/active}}{{#managed}}<span class="badge">Managed</span>{{/managed}}</td></tr>{{/rows}}
        {{^rows}}<tr><td colspan="4">No users.</td></tr>{{/rows}}</tbody></table>
        <div class="pager">{{#previous}}<a href="{{.}}">← Previous</a>{{/previous}}<span>{{range}}</span>{{#next}}<a href="{{.}}">Next →</a>{{/next}}</div>
        """

    static let groups = """
        {{#hasTabs}}<p>{{#tabs}}<a class="button {{^current}}secondary{{/current}}" href="{{href}}">{{label}}</a> {{/tabs}}</p>{{/hasTabs}}
        <form method="get" class="row" role="search"><input type="hidden" name="directory" value="{{directoryId}}"><div><label for="q">Search groups</label>
        <input id="q" type="search" name="q" value="{{q}}" placeholder="Group name"></div><button type="submit">Search</button></form>
        <p class="hint">Groups: {{total}}{{#q}} matching “{{q}}”{{/q}}. Groups synced from an identity provider are read-only here; change them in the provider.</p>
        <table><thead><tr><th>Group</th><th>Source</th></tr></thead><tbody>
        {{#rows}}<tr><td>{{displayName}}</td><td>{{#synced}}<span class="badge">Synced</span>{{/synced}}{{^synced}}<span class="badge off">Local</span>{{/synced}}</td></tr>{{/rows}}
        {{^rows}}<tr><td colspan="2">No groups.</td></tr>{{/rows}}</tbody></table>
        <div class="pager">{{#previous}}<a href="{{.}}">← Previous</a>{{/previous}}<span>{{range}}</span>{{#next}}<a href="{{.}}">Next →</a>{{/next}}</div>
        """

    static let providers = """
        {{#gate}}<div class="card"><h2>Identity providers need the Guard plan</h2><p>With Guard, you connect Okta, Microsoft Entra ID, Google Workspace and other identity providers: people sign in with single sign-on, and the provider creates, updates and deactivates their accounts and groups for you.</p><p>Your organization is on the {{plan}} plan. An organization admin can change the plan; then come back here to connect your provider.</p></div>{{/gate}}
        {{^gate}}{{#canManage}}<p><a class="button" href="{{base}}/new">Add identity provider</a></p>{{/canManage}}{{^canManage}}<p class="hint">Connecting or changing an identity provider needs an organization admin.</p>{{/canManage}}{{/gate}}
        <table><thead><tr><th>Directory</th><th>Provider</th><th>Single sign-on</th><th>Provisioning</th></tr></thead><tbody>
        {{#rows}}<tr><td><a href="{{href}}">{{name}}</a></td><td>{{provider}}</td><td>{{#sso}}<span class="badge ok">Configured</span>{{/sso}}{{^sso}}<span class="badge warn">Not set up</span>{{/sso}}</td><td>{{provisioning}}</td></tr>{{/rows}}
        {{^rows}}<tr><td colspan="4">No identity provider is connected yet.</td></tr>{{/rows}}</tbody></table>
        """

    static let catalog = """
        <p>Choose your identity provider. The setup that follows is written for it.</p>
        <div class="grid">{{#providers}}<div class="card"><h2>{{name}}</h2><p>{{#provisioning}}<span class="badge">User provisioning</span>{{/provisioning}}<span class="badge">SAML single sign-on</span></p><p class="hint">{{summary}}</p><p><a class="button" href="{{href}}" id="choose-{{id}}">Choose {{name}}</a></p></div>{{/providers}}</div>
        """

    static let name = """
        <div class="card"><p>{{intro}}</p>
        <form method="post" action="{{action}}"><input type="hidden" name="_csrf" value="{{csrf}}">
        <label for="name">Identity provider directory name</label><p class="hint">Admins see this name; people never do. For example “{{example}}”.</p>
        <input id="name" name="name" type="text" value="{{value}}" maxlength="200" required aria-describedby="name-error">
        {{#fieldError}}<p class="field-error" id="name-error">{{.}}</p>{{/fieldError}}
        <p><button type="submit">Add directory</button> <a class="button secondary" href="{{back}}">Back</a></p></form></div>
        """

    static let wizard = """
        <ol class="steps">{{#steps}}<li>{{#current}}<span aria-current="step">{{number}}. {{label}}</span>{{/current}}{{^current}}<a href="{{href}}">{{number}}. {{label}}</a>{{/current}}</li>{{/steps}}</ol>
        {{#provisioning}}
        <div class="card"><h2>User provisioning (SCIM 2.0)</h2>
        <p>{{providerName}} sends users and groups to Roster over SCIM. Copy these two values into {{providerName}}.</p>
        <label>SCIM base URL</label><div class="copy"><code id="scim-url">{{scimBaseURL}}</code><button type="button" class="secondary" data-copy="scim-url">Copy</button></div>
        {{#apiKey}}<label>API key</label><div class="copy secret"><code id="api-key">{{.}}</code><button type="button" class="secondary" data-copy="api-key">Copy</button></div>
        <p class="notice">Copy the API key now: Roster shows it only once and keeps only its hash. It expires on {{apiKeyExpires}}.</p>
        {{#viaSetupLink}}<p class="notice">This key works once an organization admin confirms it on the directory page; until then the provider's connection test is refused. Paste it now and ask them to confirm.</p>{{/viaSetupLink}}{{/apiKey}}
        {{^apiKey}}<p class="hint">The API key was shown once, when it was made. If it was not saved, generate a new one{{^viaSetupLink}}: the current key stops working{{/viaSetupLink}}.</p>
        {{#canManage}}<form method="post" action="{{base}}/setup/provisioning"><input type="hidden" name="_csrf" value="{{csrf}}"><button type="submit" class="secondary">Generate a new API key</button></form>{{/canManage}}{{/apiKey}}
        <h2>In {{providerName}}</h2><p class="hint">Provisioning is turned on in the same {{providerName}} application that signs people in. If you have not created it yet, do part 1 of the <a href="{{base}}/setup/sso">single sign-on step</a> first, then come back: this key stays on this page only until you leave it, so copy it somewhere safe now.</p>
        <ol class="guide">{{#provisioningSteps}}<li>{{.}}</li>{{/provisioningSteps}}</ol>
        {{#hasMappings}}<h2>Attribute mappings</h2><ul>{{#attributeMappings}}<li>{{.}}</li>{{/attributeMappings}}</ul>{{/hasMappings}}
        {{#portal}}<p class="hint">Groups {{providerName}} pushes become customer organizations of the help center.</p>{{/portal}}
        <p><a class="button" href="{{base}}/setup/sso">Next: single sign-on</a></p></div>
        {{/provisioning}}
        {{#sso}}
        <div class="card"><h2>1. Create the SAML application in {{providerName}}</h2>
        <label>Roster's SP entity ID (audience)</label><div class="copy"><code id="sp-entity">{{spEntityID}}</code><button type="button" class="secondary" data-copy="sp-entity">Copy</button></div>
        <label>Roster's ACS URL (reply URL, HTTP-POST)</label><div class="copy"><code id="acs-url">{{acsURL}}</code><button type="button" class="secondary" data-copy="acs-url">Copy</button></div>
        <p class="hint">Roster's SP metadata is at <a href="{{metadataURL}}">{{metadataURL}}</a> for providers that import it.</p>
        <ol class="guide">{{#samlAppSteps}}<li>{{.}}</li>{{/samlAppSteps}}</ol><p><strong>NameID:</strong> {{nameIDFormat}}</p></div>
        <div class="card"><h2>2. Give Roster {{providerName}}'s details</h2><ol class="guide">{{#idpValuesSteps}}<li>{{.}}</li>{{/idpValuesSteps}}</ol>
        {{#configured}}<p class="notice">Single sign-on is set up with {{idpEntityID}}. Saving again replaces it.</p>{{/configured}}
        {{^canManage}}<p class="hint">An organization admin enters these details; your role shows them only.</p>{{/canManage}}
        {{#canManage}}<form method="post" action="{{base}}/setup/sso" enctype="multipart/form-data"><input type="hidden" name="_csrf" value="{{csrf}}">
        <label for="metadata">Upload {{providerName}}'s metadata XML</label><input id="metadata" name="metadata" type="file" accept=".xml,application/xml,text/xml">
        <p class="hint">Or fill in the three fields below instead.</p>
        <label for="entityID">IdP entity ID (issuer)</label><input id="entityID" name="entityID" type="text" value="{{form.entityID}}">{{#errors.entityID}}<p class="field-error">{{.}}</p>{{/errors.entityID}}
        <label for="ssoURL">IdP single sign-on URL</label><input id="ssoURL" name="ssoURL" type="url" value="{{form.ssoURL}}">{{#errors.ssoURL}}<p class="field-error">{{.}}</p>{{/errors.ssoURL}}
        <label for="certificate">IdP signing certificate (PEM)</label><textarea id="certificate" name="certificate" placeholder="-----BEGIN CERTIFICATE-----">{{form.certificate}}</textarea>{{#errors.certificate}}<p class="field-error">{{.}}</p>{{/errors.certificate}}
        {{#errors.metadata}}<p class="field-error">{{.}}</p>{{/errors.metadata}}
        <p><button type="submit">Save single sign-on</button></p></form>{{/canManage}}</div>
        {{#configured}}<p><a class="button" href="{{nextAfterSSO}}">Next</a></p>{{/configured}}
        {{/sso}}
        {{#domains}}
        <div class="card"><h2>Link verified domains</h2><p>People whose email is on a domain linked to this directory sign in through {{providerName}}, and their accounts become managed accounts. A domain is linked to one directory at a time.</p>
        <table><thead><tr><th>Domain</th><th>Status</th><th></th></tr></thead><tbody>
        {{#domainRows}}<tr><td>{{name}}</td><td>{{#verified}}<span class="badge ok">Verified</span>{{/verified}}{{^verified}}<span class="badge warn">Not verified</span>{{/verified}} {{#linkedHere}}<span class="badge">Linked here</span>{{/linkedHere}}{{#linkedElsewhere}}<span class="badge off">Linked to {{.}}</span>{{/linkedElsewhere}}</td>
        <td>{{#canLink}}<form method="post" action="{{formAction}}"><input type="hidden" name="_csrf" value="{{csrf}}"><input type="hidden" name="domain" value="{{id}}"><input type="hidden" name="link" value="{{linkValue}}"><button type="submit" class="secondary">{{linkLabel}}</button></form>{{/canLink}}</td></tr>{{/domainRows}}
        {{^domainRows}}<tr><td colspan="3">No domains claimed yet.</td></tr>{{/domainRows}}</tbody></table>
        {{#domainsHref}}<p class="hint">Claim and verify domains on the <a href="{{.}}">Domains</a> page.</p>{{/domainsHref}}</div>
        <p><a class="button" href="{{base}}/setup/policy">Next: authentication policy</a></p>
        {{/domains}}
        {{#policy}}
        <div class="card"><h2>Authentication policy</h2>
        {{#canManage}}<form method="post" action="{{base}}/setup/policy"><input type="hidden" name="_csrf" value="{{csrf}}">
        {{#errors.policy}}<p class="error" role="alert">{{.}}</p>{{/errors.policy}}
        <label><input type="checkbox" name="enforceSSO"{{#enforceSSO}} checked{{/enforceSSO}}> Enforce single sign-on</label>
        <p class="hint">Members of this directory can then sign in only through {{providerName}}. Backup admins keep their password so you are never locked out.</p>
        {{#offerBackup}}<label><input type="checkbox" name="backupAdmin"> Keep my password sign-in: make me a backup admin</label>
        <p class="hint">Roster refuses to enforce SSO in a way that would lock out the admin doing it.</p>{{/offerBackup}}
        <label for="sessionHours">Session length (hours)</label><input id="sessionHours" name="sessionHours" type="number" min="1" max="720" value="{{sessionHours}}">{{#errors.sessionHours}}<p class="field-error">{{.}}</p>{{/errors.sessionHours}}
        <label for="idleMinutes">Sign out after inactivity (minutes)</label><input id="idleMinutes" name="idleMinutes" type="number" min="5" max="43200" value="{{idleMinutes}}">{{#errors.idleMinutes}}<p class="field-error">{{.}}</p>{{/errors.idleMinutes}}
        <p><button type="submit">Save policy</button></p></form>{{/canManage}}
        {{^canManage}}<p>Single sign-on is {{#enforceSSO}}enforced{{/enforceSSO}}{{^enforceSSO}}not enforced{{/enforceSSO}}; sessions last {{sessionHours}} hours. Your organization admin sets the policy.</p>{{/canManage}}</div>
        <p><a class="button" href="{{base}}/setup/test">Next: test single sign-on</a></p>
        {{/policy}}
        {{#test}}
        {{#run}}<div class="card"><h2>Last test run</h2><p>{{#succeeded}}<span class="badge ok">Passed</span> {{providerName}} signed in {{nameID}}; Roster accepted every check.{{/succeeded}}{{^succeeded}}<span class="badge warn">Did not pass</span> Fix the first failed check, then test again.{{/succeeded}}</p>
        <table><thead><tr><th>Check</th><th>Outcome</th><th>Detail</th></tr></thead><tbody>{{#checks}}<tr><td>{{name}}</td><td>{{outcome}}</td><td>{{detail}}</td></tr>{{/checks}}</tbody></table></div>{{/run}}
        <div class="card"><h2>Test SSO</h2><p>Roster opens {{providerName}}'s sign-in. Sign in as a user who is assigned to the application; Roster then shows each check it made. A test run never signs anyone in to Roster.</p>
        {{#configured}}{{#canManage}}<form method="post" action="{{base}}/setup/test"><input type="hidden" name="_csrf" value="{{csrf}}"><button type="submit">Test SSO</button></form>{{/canManage}}{{/configured}}
        {{^configured}}<p class="error">Set up single sign-on first.</p>{{/configured}}</div>
        <div class="card"><h2>If it does not work</h2><ul>{{#troubleshooting}}<li>{{.}}</li>{{/troubleshooting}}</ul>
        <p class="hint">The directory page's troubleshooting log shows every provisioning request and its answer; the audit log has every sign-in, accepted or refused, and why.</p></div>
        {{#directoryHref}}<p><a class="button secondary" href="{{.}}">Finish: go to the directory</a></p>{{/directoryHref}}
        {{/test}}
        """

    static let directory = """
        {{#pending}}<div class="card" id="pending-saml"><h2>New single sign-on settings wait for your confirmation</h2>
        <p>Someone with a setup link saved these settings. Until an organization admin confirms them, they serve Test SSO only
        and nobody signs in through them. Check each value against {{providerName}}'s admin console before confirming; changed
        values are marked.</p>
        <table><thead><tr><th>Setting</th><th>New value</th>{{#hasPrevious}}<th>Confirmed before</th>{{/hasPrevious}}</tr></thead><tbody>
        {{#rows}}<tr><td>{{label}}{{#changed}} <span class="badge warn">changed</span>{{/changed}}</td><td><code>{{now}}</code></td>{{#hasPrevious}}<td><code>{{before}}</code></td>{{/hasPrevious}}</tr>{{/rows}}
        </tbody></table>
        {{#canManage}}<form method="post" action="{{base}}/saml/confirm"><input type="hidden" name="_csrf" value="{{csrf}}">
        <input type="hidden" name="digest" value="{{digest}}"><button type="submit">Confirm these settings</button></form>{{/canManage}}
        {{^canManage}}<p class="hint">An organization admin confirms them.</p>{{/canManage}}</div>{{/pending}}
        <div class="grid">
        <div class="card"><h2>Status</h2><p>Single sign-on: {{#pending}}<span class="badge warn">Waiting for confirmation</span>{{/pending}}{{^pending}}{{#sso}}<span class="badge ok">Configured</span>{{/sso}}{{^sso}}<span class="badge warn">Not set up</span>{{/sso}}{{/pending}}</p>
        <p>Provisioning: {{provisioningBadge}}</p><p>Last provisioning request: {{lastRequest}}</p></div>
        <div class="card"><h2>Contents</h2><p>{{users}} users · {{groups}} groups</p><p><a href="{{usersHref}}">Users</a> · <a href="{{groupsHref}}">Groups</a></p></div>
        <div class="card"><h2>Setup</h2><p>{{providerName}}</p><p><a class="button secondary" href="{{base}}/setup/{{firstStep}}">Open the setup guide</a></p></div>
        </div>
        {{#hasKeys}}<h2>API keys</h2><table><thead><tr><th>Key</th><th>Created</th><th>Expires</th><th>Last used</th><th>Status</th></tr></thead><tbody>
        {{#keys}}<tr><td><code>rsk_{{prefix}}_…</code></td><td>{{created}}</td><td>{{expires}}</td><td>{{lastUsed}}</td><td>{{status}}{{#confirmId}}<form method="post" action="{{base}}/keys/{{.}}/confirm" class="row"><input type="hidden" name="_csrf" value="{{csrf}}"><button type="submit" class="secondary">Confirm this key</button></form>{{/confirmId}}</td></tr>{{/keys}}</tbody></table>
        {{#canManage}}<form method="post" action="{{base}}/keys" class="row"><input type="hidden" name="_csrf" value="{{csrf}}"><div><label for="overlap">When the new key is made, the current key</label>
        <select id="overlap" name="overlap"><option value="0">stops working at once</option><option value="3600">keeps working for 1 hour</option><option value="86400">keeps working for 24 hours</option><option value="604800">keeps working for 7 days</option></select></div>
        <button type="submit">Regenerate API key</button></form>{{/canManage}}{{/hasKeys}}
        {{#newKey}}<div class="card"><label>New API key</label><div class="copy secret"><code id="api-key">{{.}}</code><button type="button" class="secondary" data-copy="api-key">Copy</button></div><p class="notice">Copy it now: Roster shows it only once. Paste it in your identity provider's provisioning settings.</p></div>{{/newKey}}
        <h2>Certificates</h2><table><thead><tr><th>Use</th><th>SHA-256</th><th>Expires</th></tr></thead><tbody>
        {{#certificates}}<tr><td>{{use}}</td><td><code>{{fingerprint}}</code></td><td>{{notAfter}}</td></tr>{{/certificates}}{{^certificates}}<tr><td colspan="3">None yet.</td></tr>{{/certificates}}</tbody></table>
        <h2>Troubleshooting log</h2>
        <form method="get" class="row"><div><label for="method">Method</label><select id="method" name="method"><option value="">Any</option>{{#methods}}<option{{#selected}} selected{{/selected}}>{{name}}</option>{{/methods}}</select></div>
        <div><label for="resourceType">Resource</label><select id="resourceType" name="resourceType"><option value="">Any</option>{{#resources}}<option{{#selected}} selected{{/selected}}>{{name}}</option>{{/resources}}</select></div>
        <div><label for="logq">Path or id contains</label><input id="logq" type="search" name="q" value="{{q}}"></div>
        <div><label><input type="checkbox" name="failures" value="1"{{#failures}} checked{{/failures}}> Failures only</label></div><button type="submit">Filter</button></form>
        <p class="hint">Requests: {{logTotal}}</p>
        <table><thead><tr><th>Time</th><th>Request</th><th>Status</th><th>Detail</th></tr></thead><tbody>
        {{#log}}<tr><td>{{at}}</td><td>{{method}} {{path}}</td><td>{{status}}{{#scimType}} ({{.}}){{/scimType}}</td><td>{{detail}}</td></tr>{{/log}}{{^log}}<tr><td colspan="4">No requests match.</td></tr>{{/log}}</tbody></table>
        <div class="pager">{{#previous}}<a href="{{.}}">← Newer</a>{{/previous}}{{#next}}<a href="{{.}}">Older →</a>{{/next}}</div>
        {{#canManage}}{{#hasUnlinked}}
        <h2>Unlinked provisioning records</h2><p class="hint">{{providerName}} still holds these people, but they reach no account here (the account was deleted or unlinked), so its updates for them fail. Relink each to the right account: that account takes the record and {{providerName}}'s next update reaches it.</p>
        <table><thead><tr><th>User name</th><th>External id</th><th>Since</th><th>Why</th><th>Relink to the account with email</th></tr></thead><tbody>
        {{#unlinked}}<tr><td>{{userName}}</td><td>{{externalId}}</td><td>{{since}}</td><td>{{reason}}</td>
        <td><form method="post" action="{{base}}/unlinked/{{scimId}}" class="row"><input type="hidden" name="_csrf" value="{{csrf}}"><input type="email" name="email" aria-label="Account email for {{userName}}" value="{{suggestedEmail}}" required><button type="submit" class="secondary">Relink</button></form></td></tr>{{/unlinked}}
        </tbody></table>{{/hasUnlinked}}
        <h2>Hand the setup to {{providerName}}'s admin</h2>
        <form method="post" action="{{base}}/setup-links" class="row"><input type="hidden" name="_csrf" value="{{csrf}}"><div><label for="hours">Link works for</label><select id="hours" name="hours"><option value="24">24 hours</option><option value="4">4 hours</option><option value="72">3 days</option><option value="168">7 days</option></select></div><button type="submit" class="secondary">Create setup link</button></form>
        <p class="hint">The link opens once, in one browser, and shows only this directory's setup.</p>
        {{#newLink}}<div class="copy secret"><code id="setup-link">{{.}}</code><button type="button" class="secondary" data-copy="setup-link">Copy</button></div>{{/newLink}}
        <h2>Disconnect</h2><p>Accounts are kept (they move to the local directory) and synced groups become local groups with their product access.</p>
        <p><a class="button secondary" href="{{base}}/disconnect">Disconnect {{name}}…</a></p>
        {{/canManage}}
        """

    static let disconnect = """
        <div class="card"><p>Disconnecting <strong>{{name}}</strong> ({{providerName}}):</p><ul>
        <li>its accounts ({{users}}) are kept and move to the organization's local directory;</li>
        <li>its synced groups ({{groups}}) become local groups and keep their product access;</li>
        <li>its SCIM API keys stop working and single sign-on through it ends.</li></ul>
        <form method="post" action="{{base}}/disconnect"><input type="hidden" name="_csrf" value="{{csrf}}">
        <label for="confirm">Type the directory name to confirm</label><input id="confirm" name="confirm" type="text" autocomplete="off" required>
        {{#fieldError}}<p class="field-error">{{.}}</p>{{/fieldError}}
        <p><button type="submit" class="danger">Disconnect</button> <a class="button secondary" href="{{base}}">Cancel</a></p></form></div>
        """

    static let domains = """
        {{#canManage}}<div class="card"><form method="post" action="{{base}}/domains" class="row"><input type="hidden" name="_csrf" value="{{csrf}}">
        <div><label for="domain">Claim a domain</label><input id="domain" name="domain" type="text" placeholder="example.com" value="{{value}}"></div><button type="submit">Claim</button></form>
        {{#fieldError}}<p class="field-error">{{.}}</p>{{/fieldError}}</div>{{/canManage}}
        {{^canManage}}<p class="hint">Claiming, verifying and linking domains needs an organization admin.</p>{{/canManage}}
        <table><thead><tr><th>Domain</th><th>Status</th><th>How to verify</th><th>Directory</th></tr></thead><tbody>
        {{#rows}}<tr id="domain-{{name}}"><td>{{name}}</td><td>{{#verified}}<span class="badge ok">Verified</span>{{/verified}}{{^verified}}<span class="badge warn">Not verified</span>{{/verified}}</td>
        <td>{{^verified}}<p class="hint">Add a DNS TXT record on {{name}}:</p><div class="copy"><code id="txt-{{id}}">{{txtRecord}}</code><button type="button" class="secondary" data-copy="txt-{{id}}">Copy</button></div>
        <p class="hint">or serve that text at https://{{name}}/.well-known/roster-verification.txt</p>
        {{#canManage}}<form method="post" action="{{base}}/domains/{{id}}/verify" class="row"><input type="hidden" name="_csrf" value="{{csrf}}"><select name="method" aria-label="Verification method"><option value="dns">DNS TXT record</option><option value="https">HTTPS file</option></select><button type="submit">Verify</button></form>{{/canManage}}{{/verified}}</td>
        <td>{{#verified}}{{#canManage}}<form method="post" action="{{base}}/domains/{{id}}/link" class="row"><input type="hidden" name="_csrf" value="{{csrf}}"><select name="directory" aria-label="Directory for {{name}}"><option value="">Not linked</option>{{#options}}<option value="{{id}}"{{#selected}} selected{{/selected}}>{{name}}</option>{{/options}}</select><button type="submit" class="secondary">Link</button></form>{{/canManage}}{{/verified}}</td></tr>{{/rows}}
        {{^rows}}<tr><td colspan="4">No domains claimed yet.</td></tr>{{/rows}}</tbody></table>
        """

    static let products = """
        {{#sites}}<div class="card"><h2>{{name}}</h2><p>{{#products}}<span class="badge">{{.}}</span>{{/products}}{{^products}}No products yet.{{/products}}</p>
        {{#portalHref}}<p><a href="{{.}}">Jira Service Management → Portal-only customers → Identity provider</a></p>{{/portalHref}}</div>{{/sites}}
        {{^sites}}<p>No sites yet.</p>{{/sites}}
        """

    static let portal = """
        <p>Portal-only customers use the help center of {{siteName}} without being members of your organization. One identity provider can sign them in with SAML single sign-on and, where the provider supports it, provision them over SCIM (its groups become customer organizations).</p>
        {{#existing}}<div class="card"><h2>{{name}}</h2><p>{{providerName}} · {{#sso}}<span class="badge ok">SSO configured</span>{{/sso}}{{^sso}}<span class="badge warn">SSO not set up</span>{{/sso}}</p>
        <p><a class="button" href="{{href}}">Open</a>{{#canManage}} <a class="button secondary" href="{{href}}/disconnect">Disconnect…</a>{{/canManage}}</p><p class="hint">A site has one identity provider for its customers; disconnect this one (once it has no customer accounts) before connecting another.</p></div>{{/existing}}
        {{^existing}}{{#canManage}}<div class="card"><form method="post" action="{{action}}"><input type="hidden" name="_csrf" value="{{csrf}}">
        <label for="provider">Identity provider</label><select id="provider" name="provider">{{#options}}<option value="{{id}}"{{#selected}} selected{{/selected}}>{{name}}</option>{{/options}}</select>
        <label for="name">Directory name</label><input id="name" name="name" type="text" value="{{value}}" maxlength="200" required>{{#fieldError}}<p class="field-error">{{.}}</p>{{/fieldError}}
        <p><button type="submit">Connect identity provider</button></p></form></div>{{/canManage}}
        {{^canManage}}<div class="card"><p>An organization admin connects the identity provider for portal-only customers. Your site admin role lets you see it once it is connected.</p></div>{{/canManage}}{{/existing}}
        """

    static let siteUsers = """
        <p class="hint">In the original user-management experience, a site's users are managed here by its site admins. Identity provider directories belong to the organization: {{#orgHref}}manage them under <a href="{{.}}">the organization</a>.{{/orgHref}}{{^orgHref}}an organization admin connects them.{{/orgHref}}</p>
        <form method="get" class="row" role="search"><div><label for="q">Search users</label><input id="q" type="search" name="q" value="{{q}}" placeholder="Name, username or email"></div><button type="submit">Search</button></form>
        <p class="hint">Users with access to products of this site: {{total}}</p>
        <table><thead><tr><th>User name</th><th>Name</th><th>Email</th><th>Status</th></tr></thead><tbody>
        {{#rows}}<tr><td>{{userName}}</td><td>{{displayName}}</td><td>{{email}}</td><td>{{#active}}<span class="badge ok">Active</span>{{/active}}{{^active}}<span class="badge off">Deactivated</span>{{/active}}</td></tr>{{/rows}}
        {{^rows}}<tr><td colspan="4">No users.</td></tr>{{/rows}}</tbody></table>
        <div class="pager">{{#previous}}<a href="{{.}}">← Previous</a>{{/previous}}<span>{{range}}</span>{{#next}}<a href="{{.}}">Next →</a>{{/next}}</div>
        """
}
