import HTTPTypes
import Hummingbird

/// The same-origin check for forms posted before anyone has a session (sign-in), where there is no session to tie a
/// CSRF token to: a browser names the page that posted in `Origin` (and, in current browsers, `Sec-Fetch-Site`), so a
/// form on another site (login CSRF: signing the victim in to the attacker's account) is refused. Clients that send
/// neither header are not browsers acting for someone else and pass.
enum SameOrigin {
    static let secFetchSite = HTTPField.Name("Sec-Fetch-Site")!

    static func allows(_ request: Request, baseURL: String) -> Bool {
        if let origin = request.headers[.origin] {
            // `null` (a sandboxed frame, a data: page, a cross-origin redirect) is another origin too.
            return origin == ConsoleController.origin(of: baseURL)
        }
        if let site = request.headers[Self.secFetchSite] {
            return site == "same-origin" || site == "none"
        }
        return true
    }
}
