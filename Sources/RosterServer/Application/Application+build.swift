import Directory
import Foundation
import Hummingbird
import Logging
import Prometheus
import ServiceLifecycle
import Storage

/// Wires Roster together: database, domain, routes. Serving is the caller's (`app.runService()`).
public enum RosterApplication {
    /// Builds the application over an open, migrated database. The database is one of the application's services,
    /// so graceful shutdown stops the HTTP server first and the database after it; pass `runsDatabase: false` when
    /// the caller already runs it.
    public static func build(
        configuration: RosterConfiguration, database: RosterDatabase, runsDatabase: Bool = true, migrateOnStart: Bool = false,
        environment: RosterEnvironment = .live,
        registry: PrometheusCollectorRegistry = PrometheusCollectorRegistry(), logger: Logger
    ) -> some ApplicationProtocol {
        let service = DirectoryService(
            store: database.store, environment: environment,
            configuration: .init(baseURL: configuration.baseURL, allowPrivateWebhooks: configuration.webhookAllowPrivate)
        )
        let log = ProvisioningLogWriter(service: service, logger: logger)
        let probe = NetworkDomainProbe(resolver: configuration.dnsResolver, httpBase: configuration.domainVerificationBase)
        let router = buildRouter(service: service, log: log, registry: registry, probe: probe)
        registry.makeGauge(
            descriptor: MetricNameDescriptor(namespace: "roster", metricName: "info", unitName: "", helpText: "Roster and its database"),
            labels: [("database", database.kind.rawValue)]
        ).set(1.0)
        var app = Application(
            router: router,
            configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "Roster"),
            services: (runsDatabase ? [database] : []) + [
                log as any Service,
                MaintenanceService(
                    service: service, database: database, retention: configuration.provisioningLogRetentionDays * 86_400, interval: .seconds(600),
                    logger: logger
                ) as any Service,
                WebhookDispatcher(
                    service: service, backoff: configuration.webhookBackoff, maxAttempts: configuration.webhookMaxAttempts,
                    allowPrivate: configuration.webhookAllowPrivate,
                    pollInterval: configuration.webhookPollInterval, logger: logger
                ) as any Service,
            ],
            logger: logger
        )
        if migrateOnStart {
            // Runs once the database service is up and before the server accepts connections; a failure stops start-up.
            app.beforeServerStarts {
                let applied = try await database.migrate()
                logger.info("database ready", metadata: [
                    "database": "\(database.location)", "migrations.applied": "\(applied)",
                ])
            }
        }
        return app
    }

    /// The routes of every surface.
    static func buildRouter(
        service: DirectoryService, log: ProvisioningLogWriter, registry: PrometheusCollectorRegistry, probe: any DomainProbe
    ) -> Router<RosterRequestContext> {
        let router = Router(context: RosterRequestContext.self)
        router.add(middleware: RequestIDMiddleware())
        router.add(middleware: LogRequestsMiddleware(.info))
        router.add(middleware: MetricsMiddleware())
        router.add(middleware: ErrorMiddleware())
        OperationsController(service: service, registry: registry).addRoutes(to: router)
        SAMLController(service: service).addRoutes(to: router)
        ProductAccessController(service: service).addRoutes(to: router)
        OpenAPIDocument.addRoute(to: router)
        ConsoleController(service: service, probe: probe, log: log, renderer: .shared).addRoutes(to: router)
        let api = router.group("api/v1").add(middleware: AdminAuthenticationMiddleware(service: service))
        OrganizationsController(service: service).addRoutes(to: api)
        SitesController(service: service).addRoutes(to: api)
        DirectoriesController(service: service, log: log).addRoutes(to: api)
        UsersController(service: service).addRoutes(to: api)
        SignInSettingsController(service: service).addRoutes(to: api)
        EventsController(service: service).addRoutes(to: api)
        SyncController(service: service).addRoutes(to: api)
        DomainsController(service: service, probe: probe).addRoutes(to: api)
        SCIMController(service: service, log: log).addRoutes(to: router)
        return router
    }
}
