export interface paths {
    "/v1/me": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The token's name and role (the console shows only what the role may do) */
        get: operations["getMe"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/sites": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Sites with their agents' live status */
        get: operations["listSites"];
        put?: never;
        /** Register a site; answers its agent's MQTT credentials once */
        post: operations["createSite"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/sites/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** One site, its agent's status and its command queue */
        get: operations["getSite"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        /** Change a site's name, time zone, visit kinds, contacts, opening hours or limits */
        patch: operations["updateSite"];
        trace?: never;
    };
    "/v1/sites/{id}/agent-credentials/rotate": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** A new broker login for the site's agent (answered once); the one before stays good until the agent logs in with the new one, or for graceHours (admin, audited) */
        post: operations["rotateAgentCredentials"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/sites/{id}/sync": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Ask the site's agent to reconcile HikCentral with its replica now (a sync command) */
        post: operations["syncSite"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/sites/{id}/doors/{door}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Security staff: open, close, hold open or hold closed a door (terminal:door, e.g. gate-2:1) through the site's agent; the command is void after 30 s */
        post: operations["operateDoor"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/visits": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Visits, newest first, filtered and paginated */
        get: operations["listVisits"];
        put?: never;
        /** Create a visit; its grant is queued for the site's agent */
        post: operations["createVisit"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/visits/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** A visit with its access, passages counts, commands and notifications */
        get: operations["getVisit"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        /** Change validFrom / validUntil; a validity command carries them to HikCentral */
        patch: operations["changeVisitTimes"];
        trace?: never;
    };
    "/v1/visits/{id}/cancel": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Cancel the visit; a revoke command is queued (none for a held visit) */
        post: operations["cancelVisit"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/visits/{id}/checkout": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Check out the visit; a revoke command is queued */
        post: operations["checkOutVisit"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/visits/{id}/revoke": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Take the visit's access away now (the visit stays open); a revoke command is queued */
        post: operations["revokeVisit"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/visits/{id}/approve": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Admin: let a visit held by the deny list go ahead; its grant command is queued */
        post: operations["approveVisit"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/visits/{id}/refuse": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Admin: refuse a visit held by the deny list; it closes as refused, nothing is granted */
        post: operations["refuseVisit"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/visits/{id}/retry": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Grant again after a failed grant (access `failed`); a new grant command is queued. A photo is not kept after a grant, so the retry goes without one */
        post: operations["retryVisitGrant"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/visits/{id}/passages": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** A visit's passages, latest first */
        get: operations["listVisitPassages"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/occupancy": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Who is inside now, per site (the muster list) */
        get: operations["getOccupancy"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/passages": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Passages, latest first, filtered by site, door, result, direction and time; keyset-paged (pass nextCursor back as cursor) */
        get: operations["listPassages"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/passages/{id}/picture": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The camera's picture of a passage, when HikCentral gave one (kept for the retention period) */
        get: operations["getPassagePicture"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/visits/import": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Bulk visits from CSV (text/csv, a header line) or JSON (an array of visit requests), up to 5000 rows. Every row is validated first; any bad row → 422 listing every bad row by line and field, and nothing is created. Each row is idempotent (by externalId, else by content). */
        post: operations["importVisits"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/events": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Group events, latest start first */
        get: operations["listEvents"];
        put?: never;
        /** Create a group event (open day, conference) with a capacity and a registration deadline */
        post: operations["createEvent"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/events/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** One group event with its registration count */
        get: operations["getEvent"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/events/{id}/registrations": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Register a guest: a visit of the event's kind for its time; 409 when registration is closed or full */
        post: operations["registerForEvent"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/events/{id}/reopen": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Reopen registration, optionally with a larger capacity or a later deadline */
        post: operations["reopenEvent"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/incidents": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Security incidents, newest first (also on GET /v1/stream and gatehouse/v1/incidents/{site}) */
        get: operations["listIncidents"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/deny-list": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The deny list (admin) */
        get: operations["listDenyList"];
        put?: never;
        /** Add a name or document number; matching visits are held for approval from now on (admin) */
        post: operations["addDenyListEntry"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/deny-list/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post?: never;
        /** Remove an entry (admin) */
        delete: operations["removeDenyListEntry"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/tokens": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** API tokens with their role, expiry, last use and revocation, newest first (admin) */
        get: operations["listTokens"];
        put?: never;
        /** Make an API token; it is answered this once and only its hash is kept (admin, audited) */
        post: operations["createToken"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/tokens/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post?: never;
        /** Revoke a token: refused at once on HTTP and MQTT, its live streams and MQTT connections end (admin, audited) */
        delete: operations["revokeToken"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/audit": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The audit log, newest first: every write with who, what, when and before/after (admin) */
        get: operations["listAudit"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/stream": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Live events as server-sent events: `visit`, `passage`, `incident`, `agent_status`, `agent_report`, `occupancy` (each `data` is the JSON of the matching MQTT message), and `picture` (`{passageId, site}`: a passage's picture arrived; fetch it from `/v1/passages/{id}/picture`) */
        get: operations["streamEvents"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/exports/passages.csv": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Passages matching the filters as CSV, latest first, each time on its site's clock with its offset (admin only; streamed, so a year of passages costs no more memory than a page) */
        get: operations["exportPassagesCsv"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/exports/visits.csv": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Every visit matching the filters as CSV (admin only; cells that look like formulas are defused) */
        get: operations["exportVisitsCsv"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
}
export type webhooks = Record<string, never>;
export interface components {
    schemas: {
        KindConfig: {
            /** @description HikCentral access levels (privilege group ids or names) */
            accessGroups: string[];
            /** @default false */
            revokeOnExit: boolean;
        };
        Me: {
            name: string;
            /** @enum {string} */
            role: "viewer" | "operator" | "admin";
        };
        Problem: {
            type: string;
            title: string;
            status: number;
            detail: string;
            errors: {
                /** @description The field at fault, dotted (`guest.email`), or `(body)`, `(path)`, `header.…` */
                path: string;
                /** @description Stable: required, too_long, too_short, too_large, too_small, too_many, invalid_email, invalid_format, invalid_choice, invalid_type, unknown_field, after_valid_from, … (word it from code and params) */
                code: string;
                /** @description In English, for people reading the raw answer */
                message: string;
                /** @description What the code needs to be worded: maximum, minimum, values, … */
                params?: {
                    [key: string]: string | number;
                };
            }[];
        };
        SiteCreated: components["schemas"]["Site"] & {
            agentCredentials: {
                username: string;
                /** @description Shown once; only its hash is stored */
                password: string;
            };
            /** @description The agent's AGENT_COMMAND_PUBLIC_KEY: the key(s) that sign its commands, comma-separated */
            commandPublicKey: string;
        };
        Site: {
            id: string;
            name: string;
            timeZone: string;
            kinds: {
                [key: string]: {
                    accessGroups: string[];
                    revokeOnExit: boolean;
                };
            };
            fallbackEmail: string | null;
            securityEmail: string | null;
            maxStayHours: number;
            openingHours: {
                from: string;
                to: string;
                days?: number[];
            } | null;
            earlyArrivalMinutes: number;
            maxVisitDays: number;
            /** @enum {string} */
            language: "en" | "ru";
            agent: {
                username: string;
                state: string;
                seenAt: string | null;
                status?: unknown;
            };
            commands: {
                pending: number;
                oldestPendingAt: string | null;
            };
            createdAt: string;
        };
        /**
         * @example {
         *       "id": "north-campus",
         *       "name": "North campus",
         *       "timeZone": "Asia/Almaty",
         *       "language": "ru",
         *       "securityEmail": "security@example.edu"
         *     }
         */
        SiteCreate: {
            /** @description Site identifier, used as one MQTT topic level */
            id: string;
            name: string;
            /** @default UTC */
            timeZone: string;
            /** @description Visit kind (a lower-case word) → its HikCentral access levels and revokeOnExit */
            kinds?: {
                [key: string]: components["schemas"]["KindConfig"];
            };
            /** Format: email */
            fallbackEmail?: string;
            /**
             * Format: email
             * @description Where security incidents are emailed
             */
            securityEmail?: string;
            /** @description A guest inside longer than this is an incident (default 8) */
            maxStayHours?: number;
            openingHours?: components["schemas"]["OpeningHours"];
            /** @description The turnstiles let a guest in this long before the visit starts (default 0) */
            earlyArrivalMinutes?: number;
            /** @description The longest a visit may last, validFrom to validUntil (default 366) */
            maxVisitDays?: number;
            /**
             * @description The language of the site's emails: a new host's, unless the visit names one, and the security contact's (default en)
             * @enum {string}
             */
            language?: "en" | "ru";
        };
        /** @description When guests are expected, on the site's clock; `to` before `from` spans midnight */
        OpeningHours: {
            from: string;
            to: string;
            /** @description ISO weekdays the site opens on (1 = Monday … 7 = Sunday); every day when absent */
            days?: number[];
        };
        /**
         * @example {
         *       "maxStayHours": 10,
         *       "openingHours": {
         *         "from": "07:00",
         *         "to": "22:00"
         *       }
         *     }
         */
        SitePatch: {
            name?: string;
            timeZone?: string;
            /** @description Replaces the site's visit kinds (existing visits keep theirs) */
            kinds?: {
                [key: string]: components["schemas"]["KindConfig"];
            };
            /** Format: email */
            fallbackEmail?: string | null;
            /**
             * Format: email
             * @description Where security incidents are emailed
             */
            securityEmail?: string | null;
            /** @description A guest inside longer than this is an incident (default 8) */
            maxStayHours?: number;
            openingHours?: components["schemas"]["OpeningHours"] & (Record<string, never> | null);
            /** @description The turnstiles let a guest in this long before the visit starts (default 0) */
            earlyArrivalMinutes?: number;
            /** @description The longest a visit may last, validFrom to validUntil (default 366) */
            maxVisitDays?: number;
            /**
             * @description The language of the site's emails: a new host's, unless the visit names one, and the security contact's (default en)
             * @enum {string}
             */
            language?: "en" | "ru";
        };
        AgentCredentials: {
            username: string;
            /** @description Shown this once */
            password: string;
            previousUsername: string;
            /** @description Unless the agent logs in with the new login before */
            previousValidUntil: string;
        };
        /**
         * @example {
         *       "graceHours": 24
         *     }
         */
        AgentCredentialsRotate: {
            /**
             * @description How long the old login stays good if the agent does not switch before
             * @default 24
             */
            graceHours: number;
        };
        SyncQueued: {
            commandId: string;
            seq: number;
            status: string;
        };
        DoorQueued: {
            commandId: string;
            seq: number;
            status: string;
            expiresAt: string;
        };
        /**
         * @example {
         *       "action": "open"
         *     }
         */
        DoorAction: {
            /** @enum {string} */
            action: "open" | "close" | "always_open" | "always_closed";
        };
        Visit: {
            id: string;
            site: string;
            kind: string;
            personCode: string;
            guest: {
                name: string;
                email: string | null;
                phone: string | null;
                documentNumber: string | null;
            };
            host: {
                name: string;
                email: string | null;
                language: string;
            };
            validFrom: string;
            validUntil: string;
            revokeOnExit: boolean;
            note: string | null;
            /** @enum {string} */
            status: "held" | "scheduled" | "active" | "checked_out" | "cancelled" | "expired" | "refused";
            /** @enum {string} */
            access: "pending" | "granted" | "failed" | "revoked";
            accessError: string | null;
            firstEntryAt: string | null;
            firstExitAt: string | null;
            entryCount: number;
            exitCount: number;
            inside: boolean;
            /** @description Event time of the latest passage; `inside` follows it */
            lastPassageAt: string | null;
            /** @description The group event this visit is a registration of */
            eventId: string | null;
            /** @description Why the deny list holds this visit for an admin */
            heldReason: string | null;
            /** @description When the visit closed or its access was taken away */
            endedAt: string | null;
            createdAt: string;
            updatedAt: string;
            commands: {
                id: string;
                seq: number;
                type: string;
                status: string;
                error: {
                    code: string;
                    message: string;
                } | null;
                createdAt: string;
                sentAt: string | null;
                ackedAt: string | null;
            }[];
            notifications: {
                kind: string;
                recipient: string | null;
                status: string;
                attempts: number;
                lastError: string | null;
                sentAt: string | null;
            }[];
        };
        /**
         * @example {
         *       "site": "north-campus",
         *       "kind": "guest",
         *       "guest": {
         *         "name": "Aigerim Sadykova",
         *         "email": "aigerim@example.com",
         *         "phone": "+7 701 555 0101"
         *       },
         *       "host": {
         *         "name": "Marat Akhmetov",
         *         "email": "marat@example.edu"
         *       },
         *       "validFrom": "2026-12-03T09:00:00+05:00",
         *       "validUntil": "2026-12-03T18:00:00+05:00"
         *     }
         */
        VisitCreate: {
            /** @description Site identifier, used as one MQTT topic level */
            site: string;
            /**
             * @description Kind of visit (guest, student, contractor, ...)
             * @default guest
             */
            kind: string;
            guest: {
                /** @description The guest's full name, at most 128 characters; the last word is the family name (at most 64), the rest the given name (at most 64) */
                name: string;
                /** Format: email */
                email?: string;
                /** @description Phone number: digits, spaces and + ( ) . / - */
                phone?: string;
                /** @description Passport or ID number, checked against the deny list */
                documentNumber?: string;
                /** @description Face photo, base64 JPEG; sent to HikCentral, not kept after the grant */
                photo?: string;
            };
            host: {
                name: string;
                /** Format: email */
                email?: string;
                /**
                 * @description The language of the host's emails (default: the site's language)
                 * @enum {string}
                 */
                language?: "en" | "ru";
            };
            /**
             * Format: date-time
             * @description ISO 8601 date-time with a Z or numeric offset, e.g. 2025-10-03T09:00:00+05:00
             */
            validFrom: string;
            /**
             * Format: date-time
             * @description ISO 8601 date-time with a Z or numeric offset, e.g. 2025-10-03T09:00:00+05:00
             */
            validUntil: string;
            revokeOnExit?: boolean;
            note?: string;
        };
        /**
         * @example {
         *       "validUntil": "2026-12-03T20:00:00+05:00"
         *     }
         */
        VisitTimes: {
            /**
             * Format: date-time
             * @description ISO 8601 date-time with a Z or numeric offset, e.g. 2025-10-03T09:00:00+05:00
             */
            validFrom?: string;
            /**
             * Format: date-time
             * @description ISO 8601 date-time with a Z or numeric offset, e.g. 2025-10-03T09:00:00+05:00
             */
            validUntil?: string;
        };
        Passage: {
            id: string;
            site: string;
            visitId: string | null;
            personCode: string | null;
            door: {
                id: string;
                name: string | null;
            };
            /** @enum {string} */
            direction: "entry" | "exit" | "unknown";
            /** @enum {string} */
            result: "granted" | "denied";
            reasonCode: string | null;
            /** @description How the person verified (face, card, card+pin, …), when known */
            verifyMode: string | null;
            eventType: number;
            occurredAt: string;
            storedAt: string;
            /** @description The camera's picture is at `/v1/passages/{id}/picture` */
            hasPicture: boolean;
            /** @description The visit the passage belongs to, or null for an unknown person */
            visit: {
                id: string;
                kind: string;
                guestName: string;
                hostName: string;
            } | null;
        };
        ImportResult: {
            dryRun: boolean;
            total: number;
            created: number;
            /** @description Rows imported before (same externalId, or the same content) */
            existing: number;
            items: {
                line: number;
                visitId: string | null;
                /** @enum {string} */
                status: "valid" | "created" | "existing";
            }[];
        };
        GroupEvent: {
            id: string;
            site: string;
            name: string;
            kind: string;
            organizer: {
                name: string;
                email: string | null;
                language: string;
            };
            startsAt: string;
            endsAt: string;
            capacity: number;
            registrationDeadline: string;
            registered: number;
            /** @enum {string} */
            state: "open" | "closed";
            /** @enum {string|null} */
            closedReason: "capacity" | "deadline" | null;
            createdAt: string;
            updatedAt: string;
        };
        /**
         * @example {
         *       "site": "north-campus",
         *       "name": "Open day",
         *       "kind": "guest",
         *       "organizer": {
         *         "name": "Olga Organiser",
         *         "email": "olga@example.edu"
         *       },
         *       "startsAt": "2026-12-12T09:00:00+05:00",
         *       "endsAt": "2026-12-12T17:00:00+05:00",
         *       "capacity": 200,
         *       "registrationDeadline": "2026-12-11T18:00:00+05:00"
         *     }
         */
        GroupEventCreate: {
            /** @description Site identifier, used as one MQTT topic level */
            site: string;
            name: string;
            /**
             * @description The visit kind of every registration
             * @default guest
             */
            kind: string;
            organizer: {
                name: string;
                /**
                 * Format: email
                 * @description Told when registration closes; the default host of registrations
                 */
                email?: string;
                /** @enum {string} */
                language?: "en" | "ru";
            };
            /**
             * Format: date-time
             * @description Every registration's validFrom
             */
            startsAt: string;
            /**
             * Format: date-time
             * @description Every registration's validUntil
             */
            endsAt: string;
            capacity: number;
            /**
             * Format: date-time
             * @description ISO 8601 date-time with a Z or numeric offset, e.g. 2025-10-03T09:00:00+05:00
             */
            registrationDeadline: string;
        };
        /**
         * @example {
         *       "guest": {
         *         "name": "Aigerim Sadykova",
         *         "email": "aigerim@example.com"
         *       }
         *     }
         */
        RegistrationCreate: {
            guest: {
                /** @description The guest's full name, at most 128 characters; the last word is the family name (at most 64), the rest the given name (at most 64) */
                name: string;
                /** Format: email */
                email?: string;
                /** @description Phone number: digits, spaces and + ( ) . / - */
                phone?: string;
                /** @description Passport or ID number, checked against the deny list */
                documentNumber?: string;
                /** @description Face photo, base64 JPEG; sent to HikCentral, not kept after the grant */
                photo?: string;
            };
            /** @description Defaults to the organiser */
            host?: {
                name: string;
                /** Format: email */
                email?: string;
                /**
                 * @description The language of the host's emails (default: the site's language)
                 * @enum {string}
                 */
                language?: "en" | "ru";
            };
            note?: string;
        };
        /**
         * @example {
         *       "capacity": 250
         *     }
         */
        GroupEventReopen: {
            capacity?: number;
            /**
             * Format: date-time
             * @description ISO 8601 date-time with a Z or numeric offset, e.g. 2025-10-03T09:00:00+05:00
             */
            registrationDeadline?: string;
        };
        DenyListEntry: {
            id: string;
            /** @enum {string} */
            field: "name" | "document";
            value: string;
            reason: string;
            createdBy: string;
            createdAt: string;
        };
        /**
         * @example {
         *       "field": "document",
         *       "value": "N12345678",
         *       "reason": "Banned after the incident of 2026-11-02"
         *     }
         */
        DenyListCreate: {
            /**
             * @description Match the guest's full name, or their document number
             * @enum {string}
             */
            field: "name" | "document";
            value: string;
            reason: string;
        };
        Token: {
            id: string;
            name: string;
            /** @enum {string} */
            role: "admin" | "operator" | "viewer";
            createdAt: string;
            /** @description After this the token is refused; null: until revoked */
            expiresAt: string | null;
            /** @description The last request or MQTT login with it (kept to the minute); null: never used */
            lastUsedAt: string | null;
            revokedAt: string | null;
            /** @description Its MQTT username on a Mosquitto that Gatehouse manages (any username on the embedded broker) */
            mqttUsername: string;
        };
        TokenCreated: components["schemas"]["Token"] & {
            /** @description The token itself, shown this once */
            token: string;
        };
        /**
         * @example {
         *       "name": "security-office-export",
         *       "role": "viewer",
         *       "expiresAt": "2027-06-30T00:00:00Z"
         *     }
         */
        TokenCreate: {
            /** @description Who or what uses it */
            name: string;
            /** @enum {string} */
            role: "admin" | "operator" | "viewer";
            /**
             * Format: date-time
             * @description When it stops working by itself; absent: until revoked
             */
            expiresAt?: string;
        };
        AuditEntry: {
            id: string;
            at: string;
            /** @description The API token's name, or scheduler / agent / cli */
            actor: string;
            /** @description e.g. visit.create, visit.cancel, site.update, event.register */
            action: string;
            entity: string;
            entityId: string;
            site: string | null;
            before?: unknown;
            after?: unknown;
        };
    };
    responses: never;
    parameters: never;
    requestBodies: never;
    headers: never;
    pathItems: never;
}
export type $defs = Record<string, never>;
export interface operations {
    getMe: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Who the token is */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Me"];
                };
            };
            /** @description Problem */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    listSites: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Sites */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        items: components["schemas"]["Site"][];
                        nextCursor: string | null;
                    };
                };
            };
            /** @description Problem */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    createSite: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["SiteCreate"];
            };
        };
        responses: {
            /** @description The site */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["SiteCreated"];
                };
            };
            /** @description Problem */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Problem */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Problem */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Problem */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Problem */
            502: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    getSite: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The site */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Site"];
                };
            };
            /** @description Problem */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Problem */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    updateSite: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["SitePatch"];
            };
        };
        responses: {
            /** @description The site */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Site"];
                };
            };
            /** @description Problem */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Problem */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Problem */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Problem */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    rotateAgentCredentials: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: {
            content: {
                "application/json": components["schemas"]["AgentCredentialsRotate"];
            };
        };
        responses: {
            /** @description The new login */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["AgentCredentials"];
                };
            };
            /** @description Problem */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Problem */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Problem */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Problem */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Problem */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Problem */
            502: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    syncSite: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The sync command is queued */
            202: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["SyncQueued"];
                };
            };
            /** @description Problem */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Problem */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Problem */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    operateDoor: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
                door: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["DoorAction"];
            };
        };
        responses: {
            /** @description The door command is queued */
            202: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["DoorQueued"];
                };
            };
            /** @description Problem */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Problem */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Problem */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Problem */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    listVisits: {
        parameters: {
            query?: {
                site?: string;
                status?: "held" | "scheduled" | "active" | "checked_out" | "cancelled" | "expired" | "refused";
                /** @description Registrations of this group event */
                event?: string;
                inside?: "true" | "false";
                /** @description Guest or host name contains */
                q?: string;
                limit?: number;
                cursor?: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Visits */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        items: {
                            id: string;
                            site: string;
                            kind: string;
                            personCode: string;
                            guest: {
                                name: string;
                                email: string | null;
                                phone: string | null;
                                documentNumber: string | null;
                            };
                            host: {
                                name: string;
                                email: string | null;
                                language: string;
                            };
                            validFrom: string;
                            validUntil: string;
                            revokeOnExit: boolean;
                            note: string | null;
                            /** @enum {string} */
                            status: "held" | "scheduled" | "active" | "checked_out" | "cancelled" | "expired" | "refused";
                            /** @enum {string} */
                            access: "pending" | "granted" | "failed" | "revoked";
                            accessError: string | null;
                            firstEntryAt: string | null;
                            firstExitAt: string | null;
                            entryCount: number;
                            exitCount: number;
                            inside: boolean;
                            /** @description Event time of the latest passage; `inside` follows it */
                            lastPassageAt: string | null;
                            /** @description The group event this visit is a registration of */
                            eventId: string | null;
                            /** @description Why the deny list holds this visit for an admin */
                            heldReason: string | null;
                            /** @description When the visit closed or its access was taken away */
                            endedAt: string | null;
                            createdAt: string;
                            updatedAt: string;
                        }[];
                        nextCursor: string | null;
                    };
                };
            };
            /** @description Problem */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Problem */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    createVisit: {
        parameters: {
            query?: never;
            header?: {
                /** @description Repeat the request with the same key and get the same visit back, never a second one */
                "idempotency-key"?: string;
            };
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["VisitCreate"];
            };
        };
        responses: {
            /** @description The visit */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Visit"];
                };
            };
            /** @description Problem */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Problem */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Problem */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Problem */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    getVisit: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The visit */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Visit"];
                };
            };
            /** @description Problem */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Problem */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    changeVisitTimes: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["VisitTimes"];
            };
        };
        responses: {
            /** @description The visit */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Visit"];
                };
            };
            /** @description Problem */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Problem */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Problem */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Problem */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Problem */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Problem */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    cancelVisit: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The visit */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Visit"];
                };
            };
            /** @description Problem */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Problem */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Problem */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Problem */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    checkOutVisit: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The visit */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Visit"];
                };
            };
            /** @description Problem */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Problem */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Problem */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Problem */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    revokeVisit: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The visit */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Visit"];
                };
            };
            /** @description Problem */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Problem */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Problem */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Problem */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    approveVisit: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The visit */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Visit"];
                };
            };
            /** @description Problem */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Problem */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Problem */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Problem */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    refuseVisit: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The visit */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Visit"];
                };
            };
            /** @description Problem */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Problem */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Problem */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Problem */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    retryVisitGrant: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The visit */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Visit"];
                };
            };
            /** @description Problem */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Problem */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Problem */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Problem */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    listVisitPassages: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Passages */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        items: components["schemas"]["Passage"][];
                        nextCursor: string | null;
                    };
                };
            };
            /** @description Problem */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Problem */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    getOccupancy: {
        parameters: {
            query?: {
                site?: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Occupancy per site */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        items: {
                            /** @description Site identifier, used as one MQTT topic level */
                            site: string;
                            count: number;
                            /**
                             * Format: date-time
                             * @description ISO 8601 date-time with a Z or numeric offset, e.g. 2025-10-03T09:00:00+05:00
                             */
                            at: string;
                            inside: {
                                visitId: string;
                                guestName: string;
                                hostName: string;
                                /**
                                 * Format: date-time
                                 * @description Event time of the entry that put the guest inside
                                 */
                                since: string | null;
                                /**
                                 * @description The visit's status: a guest checked out at the desk (or whose visit ended) who has not passed an exit is still inside
                                 * @enum {string}
                                 */
                                visitStatus: "held" | "scheduled" | "active" | "checked_out" | "cancelled" | "expired" | "refused";
                                /**
                                 * Format: date-time
                                 * @description When the visit closed or its access was taken away, while the guest is still inside; null while it is open
                                 */
                                endedAt: string | null;
                            }[];
                        }[];
                    };
                };
            };
            /** @description Problem */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    listPassages: {
        parameters: {
            query?: {
                site?: string;
                /** @description The door's id as the agent reports it (HikCentral's doorIndexCode) */
                door?: string;
                result?: "granted" | "denied";
                direction?: "entry" | "exit" | "unknown";
                /** @description Passages from this instant on (inclusive) */
                since?: string;
                /** @description Passages before this instant */
                until?: string;
                limit?: number;
                /** @description The nextCursor of the page before */
                cursor?: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Passages */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        items: components["schemas"]["Passage"][];
                        nextCursor: string | null;
                    };
                };
            };
            /** @description Problem */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Problem */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    getPassagePicture: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The picture */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "image/jpeg": string;
                    "image/png": string;
                };
            };
            /** @description Problem */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Problem */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    importVisits: {
        parameters: {
            query?: {
                /** @description The site of rows that name none */
                site?: string;
                /** @description Validate only */
                dryRun?: "true" | "false";
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: {
            content: {
                /**
                 * @example site,kind,external_id,guest_name,host_name,valid_from,valid_until
                 *     north-campus,guest,hr-1001,Aigerim Sadykova,Marat Akhmetov,2026-12-03T09:00:00+05:00,2026-12-03T18:00:00+05:00
                 */
                "text/csv": string;
                /**
                 * @example [
                 *       {
                 *         "site": "north-campus",
                 *         "externalId": "hr-1001",
                 *         "guest": {
                 *           "name": "Aigerim Sadykova"
                 *         },
                 *         "host": {
                 *           "name": "Marat Akhmetov"
                 *         },
                 *         "validFrom": "2026-12-03T09:00:00+05:00",
                 *         "validUntil": "2026-12-03T18:00:00+05:00"
                 *       }
                 *     ]
                 */
                "application/json": {
                    [key: string]: unknown;
                }[];
            };
        };
        responses: {
            /** @description What was (or would be) created */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ImportResult"];
                };
            };
            /** @description Problem */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Problem */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Problem */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Problem */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Problem */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Problem */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    listEvents: {
        parameters: {
            query?: {
                site?: string;
                state?: "open" | "closed";
                limit?: number;
                cursor?: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Events */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        items: components["schemas"]["GroupEvent"][];
                        nextCursor: string | null;
                    };
                };
            };
            /** @description Problem */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Problem */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    createEvent: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["GroupEventCreate"];
            };
        };
        responses: {
            /** @description The event */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["GroupEvent"];
                };
            };
            /** @description Problem */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Problem */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Problem */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Problem */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    getEvent: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The event */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["GroupEvent"];
                };
            };
            /** @description Problem */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Problem */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    registerForEvent: {
        parameters: {
            query?: never;
            header?: {
                "idempotency-key"?: string;
            };
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["RegistrationCreate"];
            };
        };
        responses: {
            /** @description The registration's visit */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Visit"];
                };
            };
            /** @description Problem */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Problem */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Problem */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Problem */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Problem */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Problem */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    reopenEvent: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: {
            content: {
                "application/json": components["schemas"]["GroupEventReopen"];
            };
        };
        responses: {
            /** @description The event */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["GroupEvent"];
                };
            };
            /** @description Problem */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Problem */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Problem */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Problem */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Problem */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Problem */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    listIncidents: {
        parameters: {
            query?: {
                site?: string;
                type?: "denied_with_active_visit" | "exit_without_entry" | "overstay" | "entry_outside_hours" | "passage_after_revoke" | "turnstile_alarm";
                visit?: string;
                limit?: number;
                cursor?: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Incidents */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        items: {
                            /** @description Unique id of this message, for deduplication */
                            id: string;
                            /** @description Site identifier, used as one MQTT topic level */
                            site: string;
                            /** @enum {string} */
                            type: "denied_with_active_visit" | "exit_without_entry" | "overstay" | "entry_outside_hours" | "passage_after_revoke" | "turnstile_alarm";
                            /** @enum {string} */
                            severity: "warning" | "critical";
                            visitId: string | null;
                            passageId: string | null;
                            guestName: string | null;
                            doorName: string | null;
                            /**
                             * Format: date-time
                             * @description When it happened (the passage's event time, or when it was found)
                             */
                            occurredAt: string;
                            /**
                             * Format: date-time
                             * @description ISO 8601 date-time with a Z or numeric offset, e.g. 2025-10-03T09:00:00+05:00
                             */
                            detectedAt: string;
                            /** @description The facts the incident is worded from, by name (guest, door, reason, from, to, hours, minutes, allowedHours, alarm), so each reader can word it in their own language */
                            params: {
                                [key: string]: string | number;
                            };
                            /** @description What happened, in English (readers in other languages word it from type and params) */
                            message: string;
                        }[];
                        nextCursor: string | null;
                    };
                };
            };
            /** @description Problem */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Problem */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    listDenyList: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Entries */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        items: components["schemas"]["DenyListEntry"][];
                        nextCursor: string | null;
                    };
                };
            };
            /** @description Problem */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Problem */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    addDenyListEntry: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["DenyListCreate"];
            };
        };
        responses: {
            /** @description The entry */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["DenyListEntry"];
                };
            };
            /** @description Problem */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Problem */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Problem */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Problem */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    removeDenyListEntry: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Removed */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description Problem */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Problem */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Problem */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    listTokens: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Tokens */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        items: components["schemas"]["Token"][];
                        nextCursor: string | null;
                    };
                };
            };
            /** @description Problem */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Problem */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    createToken: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["TokenCreate"];
            };
        };
        responses: {
            /** @description The token, shown once */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["TokenCreated"];
                };
            };
            /** @description Problem */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Problem */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Problem */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Problem */
            502: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    revokeToken: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The token, revoked */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Token"];
                };
            };
            /** @description Problem */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Problem */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Problem */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    listAudit: {
        parameters: {
            query?: {
                entity?: "visit" | "site" | "event" | "deny_list" | "command" | "import" | "token";
                entityId?: string;
                /** @description A token's name, or scheduler / agent / cli */
                actor?: string;
                site?: string;
                since?: string;
                limit?: number;
                cursor?: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Audit entries */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        items: components["schemas"]["AuditEntry"][];
                        nextCursor: string | null;
                    };
                };
            };
            /** @description Problem */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Problem */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Problem */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    streamEvents: {
        parameters: {
            query?: {
                /** @description Only this site's events */
                site?: string;
                types?: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description An event stream */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "text/event-stream": string;
                };
            };
            /** @description Problem */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Problem */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    exportPassagesCsv: {
        parameters: {
            query?: {
                site?: string;
                /** @description The door's id as the agent reports it (HikCentral's doorIndexCode) */
                door?: string;
                result?: "granted" | "denied";
                direction?: "entry" | "exit" | "unknown";
                /** @description Passages from this instant on (inclusive) */
                since?: string;
                /** @description Passages before this instant */
                until?: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description CSV, latest passage first */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "text/csv": string;
                };
            };
            /** @description Problem */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Problem */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Problem */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    exportVisitsCsv: {
        parameters: {
            query?: {
                site?: string;
                status?: "scheduled" | "active" | "checked_out" | "cancelled" | "expired";
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description CSV, newest visit first */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "text/csv": string;
                };
            };
            /** @description Problem */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Problem */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Problem */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
}
