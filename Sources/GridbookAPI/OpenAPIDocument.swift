/// The OpenAPI 3.1 description of every `/api/v1` route, served at `GET /openapi.yaml`.
enum OpenAPIDocument {
    static let yaml = #"""
openapi: 3.1.0
info:
  title: Gridbook API
  version: 1.0.0
  summary: Households, visits, risks and cases of one county, over one SQLite file.
  description: >-
    The JSON API that `gridbook serve` answers. Every `/api/v1` call needs
    `Authorization: Bearer TOKEN` (a token from `gridbook token issue --person ID`).
    A caller sees and changes only units at or below the units of their active
    duties; county admins see everything. JSON is UTF-8 with snake_case keys;
    dates are local `YYYY-MM-DD` dates in the deployment's time zone. Request
    bodies ignore unknown keys; a missing required key, a value of the wrong type
    or an unknown enum value answers 400. Lists answer `{"items": [...], "next": CURSOR-or-null}`:
    pass `next` back as `after` for the following page. Every error answers
    the `Error` body. A path that matches no route answers 404.
tags:
  - name: service
    description: Liveness and this document.
  - name: people
    description: The caller.
  - name: units
    description: The hierarchy and its households.
  - name: visits
    description: Household visits and the due list.
  - name: reports
    description: Coverage, pairing and case figures.
  - name: risks
    description: The risk register.
  - name: cases
    description: The case ledger.
  - name: events
    description: The change feed.
security:
  - bearerAuth: []
paths:
  /healthz:
    get:
      operationId: getHealth
      summary: Liveness check.
      tags: [service]
      security: []
      responses:
        '200':
          description: The server is up.
          content:
            text/plain:
              schema:
                type: string
                const: "ok\n"
  /openapi.yaml:
    get:
      operationId: getOpenAPIDocument
      summary: This OpenAPI document.
      tags: [service]
      security: []
      responses:
        '200':
          description: The OpenAPI 3.1 description of every `/api/v1` route.
          content:
            application/yaml:
              schema:
                type: string
  /api/v1/me:
    get:
      operationId: getMe
      summary: The caller, their active roles and the units they may see.
      tags: [people]
      responses:
        '200':
          description: The caller.
          content:
            application/json:
              schema:
                $ref: '#/components/schemas/Me'
        '401':
          $ref: '#/components/responses/Unauthorized'
  /api/v1/units/{code}:
    get:
      operationId: getUnit
      summary: A unit with its parent chain and its children.
      tags: [units]
      parameters:
        - $ref: '#/components/parameters/UnitCodePath'
      responses:
        '200':
          description: The unit.
          content:
            application/json:
              schema:
                $ref: '#/components/schemas/UnitDetail'
        '401':
          $ref: '#/components/responses/Unauthorized'
        '403':
          $ref: '#/components/responses/Forbidden'
        '404':
          $ref: '#/components/responses/NotFound'
  /api/v1/units/{code}/households:
    get:
      operationId: listUnitHouseholds
      summary: Households under a unit with their schedule state, by code (paged).
      description: >-
        Households registered after `on` are left out. Phone numbers are masked
        unless a county admin asks with `reveal=true` (audited).
      tags: [units]
      parameters:
        - $ref: '#/components/parameters/UnitCodePath'
        - $ref: '#/components/parameters/OnDate'
        - $ref: '#/components/parameters/Reveal'
        - $ref: '#/components/parameters/Limit'
        - $ref: '#/components/parameters/After'
      responses:
        '200':
          description: A page of households.
          content:
            application/json:
              schema:
                $ref: '#/components/schemas/HouseholdPage'
        '400':
          $ref: '#/components/responses/BadRequest'
        '401':
          $ref: '#/components/responses/Unauthorized'
        '403':
          $ref: '#/components/responses/Forbidden'
        '404':
          $ref: '#/components/responses/NotFound'
  /api/v1/households/{code}:
    get:
      operationId: getHousehold
      summary: One household with its schedule state and its latest visits.
      description: >-
        `recent_visits` holds up to 10 visits on or before `on`, the latest first.
        The phone number is masked unless a county admin asks with `reveal=true` (audited).
      tags: [units]
      parameters:
        - name: code
          in: path
          required: true
          description: The household's code.
          schema:
            type: string
            minLength: 1
          example: '150599002003002-0001'
        - $ref: '#/components/parameters/OnDate'
        - $ref: '#/components/parameters/Reveal'
      responses:
        '200':
          description: The household.
          content:
            application/json:
              schema:
                $ref: '#/components/schemas/HouseholdDetail'
        '400':
          $ref: '#/components/responses/BadRequest'
        '401':
          $ref: '#/components/responses/Unauthorized'
        '403':
          $ref: '#/components/responses/Forbidden'
        '404':
          $ref: '#/components/responses/NotFound'
  /api/v1/visits:
    post:
      operationId: logVisit
      summary: Log a visit, with the risks it found.
      description: >-
        Idempotent by `id`: sending a stored visit again answers it with 200; the
        same `id` with other content answers 409. The visitor must hold an active
        duty covering the household on the visit's date (403 otherwise). Only
        township staff, mediators and county admins may name a `visitor_id` other
        than themselves (403 otherwise). The answer is the visit with `findings`,
        the risks stored from it (source `visit`), whose ids a client promotes.
      tags: [visits]
      requestBody:
        required: true
        content:
          application/json:
            schema:
              $ref: '#/components/schemas/NewVisit'
            example:
              household_code: '150599002003002-0001'
              visited_at: '2026-03-02T09:15:00+08:00'
              method: door
              outcome: met
              note: Talked with the head of household.
      responses:
        '200':
          description: The same visit was stored before; nothing changed.
          content:
            application/json:
              schema:
                $ref: '#/components/schemas/LoggedVisit'
        '201':
          description: The visit was stored.
          content:
            application/json:
              schema:
                $ref: '#/components/schemas/LoggedVisit'
          links:
            GetHousehold:
              operationId: getHousehold
              parameters:
                code: '$response.body#/household_code'
        '400':
          $ref: '#/components/responses/BadRequest'
        '401':
          $ref: '#/components/responses/Unauthorized'
        '403':
          $ref: '#/components/responses/Forbidden'
        '404':
          $ref: '#/components/responses/NotFound'
        '409':
          $ref: '#/components/responses/Conflict'
        '413':
          $ref: '#/components/responses/TooLarge'
    get:
      operationId: listVisits
      summary: Visits to households under a unit, by date then household (paged).
      tags: [visits]
      parameters:
        - $ref: '#/components/parameters/UnitQuery'
        - $ref: '#/components/parameters/FromDate'
        - $ref: '#/components/parameters/ToDate'
        - $ref: '#/components/parameters/Limit'
        - $ref: '#/components/parameters/After'
      responses:
        '200':
          description: A page of visits.
          content:
            application/json:
              schema:
                $ref: '#/components/schemas/VisitPage'
        '400':
          $ref: '#/components/responses/BadRequest'
        '401':
          $ref: '#/components/responses/Unauthorized'
        '403':
          $ref: '#/components/responses/Forbidden'
        '404':
          $ref: '#/components/responses/NotFound'
  /api/v1/due:
    get:
      operationId: listDue
      summary: Households under a unit due before `on` + `horizon` days, by due date then code (paged).
      tags: [visits]
      parameters:
        - $ref: '#/components/parameters/UnitQuery'
        - $ref: '#/components/parameters/OnDate'
        - name: horizon
          in: query
          required: false
          description: Days to look ahead.
          schema:
            type: integer
            minimum: 0
            maximum: 3650
            default: 7
        - $ref: '#/components/parameters/Limit'
        - $ref: '#/components/parameters/After'
      responses:
        '200':
          description: A page of due households.
          content:
            application/json:
              schema:
                $ref: '#/components/schemas/DueItemPage'
        '400':
          $ref: '#/components/responses/BadRequest'
        '401':
          $ref: '#/components/responses/Unauthorized'
        '403':
          $ref: '#/components/responses/Forbidden'
        '404':
          $ref: '#/components/responses/NotFound'
  /api/v1/reports/coverage:
    get:
      operationId: getCoverageReport
      summary: Visit coverage of a unit as of a date, a row per child unit (a grid's or block's rows are its households).
      tags: [reports]
      parameters:
        - $ref: '#/components/parameters/UnitQuery'
        - name: as_of
          in: query
          required: false
          description: The report date (default today).
          schema:
            type: string
            format: date
        - name: format
          in: query
          required: false
          description: The answer's format.
          schema:
            type: string
            enum: [json, csv, html]
            default: json
      responses:
        '200':
          description: >-
            The report: JSON for `format=json`, CSV (the JSON's rows, then a `total` row)
            for `format=csv`, an HTML coverage map for `format=html`.
          content:
            application/json:
              schema:
                $ref: '#/components/schemas/CoverageReport'
            text/csv:
              schema:
                type: string
            text/html:
              schema:
                type: string
        '400':
          $ref: '#/components/responses/BadRequest'
        '401':
          $ref: '#/components/responses/Unauthorized'
        '403':
          $ref: '#/components/responses/Forbidden'
        '404':
          $ref: '#/components/responses/NotFound'
  /api/v1/reports/pairing:
    get:
      operationId: getPairingReport
      summary: Units under a unit that lack people on duty today (active duties only).
      tags: [reports]
      parameters:
        - $ref: '#/components/parameters/UnitQuery'
      responses:
        '200':
          description: The gaps.
          content:
            application/json:
              schema:
                $ref: '#/components/schemas/PairingReport'
        '400':
          $ref: '#/components/responses/BadRequest'
        '401':
          $ref: '#/components/responses/Unauthorized'
        '403':
          $ref: '#/components/responses/Forbidden'
        '404':
          $ref: '#/components/responses/NotFound'
  /api/v1/reports/cases:
    get:
      operationId: getCaseReport
      summary: Case figures for cases accepted from `from` to `to` that arose under a unit.
      tags: [reports]
      parameters:
        - $ref: '#/components/parameters/UnitQuery'
        - name: from
          in: query
          required: true
          description: The first day of the period (400 when after `to`).
          schema:
            type: string
            format: date
          example: '2026-01-01'
        - name: to
          in: query
          required: true
          description: The last day of the period.
          schema:
            type: string
            format: date
          example: '2026-12-31'
      responses:
        '200':
          description: The figures.
          content:
            application/json:
              schema:
                $ref: '#/components/schemas/CaseReport'
        '400':
          $ref: '#/components/responses/BadRequest'
        '401':
          $ref: '#/components/responses/Unauthorized'
        '403':
          $ref: '#/components/responses/Forbidden'
        '404':
          $ref: '#/components/responses/NotFound'
  /api/v1/risks:
    post:
      operationId: reportRisk
      summary: Report a risk in a grid, or on a household (which gives its grid).
      tags: [risks]
      requestBody:
        required: true
        content:
          application/json:
            schema:
              $ref: '#/components/schemas/NewRisk'
            example:
              household_code: '150599002003002-0001'
              category: neighbour
              level: yellow
              title: Noise dispute with the flat above
              source: patrol
      responses:
        '201':
          description: The risk was stored.
          content:
            application/json:
              schema:
                $ref: '#/components/schemas/Risk'
          links:
            GetRisk:
              operationId: getRisk
              parameters:
                id: '$response.body#/id'
            UpdateRisk:
              operationId: updateRisk
              parameters:
                id: '$response.body#/id'
            PromoteRisk:
              operationId: promoteRisk
              parameters:
                id: '$response.body#/id'
        '400':
          $ref: '#/components/responses/BadRequest'
        '401':
          $ref: '#/components/responses/Unauthorized'
        '403':
          $ref: '#/components/responses/Forbidden'
        '404':
          $ref: '#/components/responses/NotFound'
        '413':
          $ref: '#/components/responses/TooLarge'
    get:
      operationId: listRisks
      summary: Risks in grids under a unit, the most urgent first (level, review date, id; paged).
      tags: [risks]
      parameters:
        - $ref: '#/components/parameters/UnitQuery'
        - name: status
          in: query
          required: false
          description: Only risks with this status.
          schema:
            $ref: '#/components/schemas/RiskStatus'
        - name: level
          in: query
          required: false
          description: Only risks of this level.
          schema:
            $ref: '#/components/schemas/RiskLevel'
        - name: category
          in: query
          required: false
          description: Only risks of this issue category code (400 for an unknown one).
          schema:
            type: string
        - name: review_overdue
          in: query
          required: false
          description: When true, only open or monitored risks whose review date has passed.
          schema:
            type: boolean
            default: false
        - $ref: '#/components/parameters/Limit'
        - $ref: '#/components/parameters/After'
      responses:
        '200':
          description: A page of risks.
          content:
            application/json:
              schema:
                $ref: '#/components/schemas/RiskPage'
        '400':
          $ref: '#/components/responses/BadRequest'
        '401':
          $ref: '#/components/responses/Unauthorized'
        '403':
          $ref: '#/components/responses/Forbidden'
        '404':
          $ref: '#/components/responses/NotFound'
  /api/v1/risks/{id}:
    get:
      operationId: getRisk
      summary: One risk with its follow-ups, oldest first.
      tags: [risks]
      parameters:
        - $ref: '#/components/parameters/RiskIdPath'
      responses:
        '200':
          description: The risk.
          content:
            application/json:
              schema:
                $ref: '#/components/schemas/RiskDetail'
        '401':
          $ref: '#/components/responses/Unauthorized'
        '403':
          $ref: '#/components/responses/Forbidden'
        '404':
          $ref: '#/components/responses/NotFound'
    patch:
      operationId: updateRisk
      summary: Change a risk's status or level, or add a follow-up note.
      description: >-
        Status moves open ⇄ monitoring, open or monitoring → resolved, resolved → open;
        any other move (and any move of a promoted risk) answers 409. A non-empty
        `note` is stored as a follow-up by the caller and moves the review date on
        by the level's days.
      tags: [risks]
      parameters:
        - $ref: '#/components/parameters/RiskIdPath'
      requestBody:
        required: true
        content:
          application/json:
            schema:
              $ref: '#/components/schemas/RiskPatch'
            example:
              status: monitoring
              note: Both sides met; watching.
      responses:
        '200':
          description: The risk after the change (without follow-ups).
          content:
            application/json:
              schema:
                $ref: '#/components/schemas/Risk'
        '400':
          $ref: '#/components/responses/BadRequest'
        '401':
          $ref: '#/components/responses/Unauthorized'
        '403':
          $ref: '#/components/responses/Forbidden'
        '404':
          $ref: '#/components/responses/NotFound'
        '409':
          $ref: '#/components/responses/Conflict'
        '413':
          $ref: '#/components/responses/TooLarge'
  /api/v1/risks/{id}/promote:
    post:
      operationId: promoteRisk
      summary: Turn a risk into an accepted case; promoting again answers the same case.
      description: >-
        For township staff, mediators and county admins. A resolved risk answers 409.
      tags: [risks]
      parameters:
        - $ref: '#/components/parameters/RiskIdPath'
      responses:
        '200':
          description: The risk was promoted before; its case.
          content:
            application/json:
              schema:
                $ref: '#/components/schemas/Case'
        '201':
          description: The new case.
          content:
            application/json:
              schema:
                $ref: '#/components/schemas/Case'
          links:
            GetCase:
              operationId: getCase
              parameters:
                id: '$response.body#/id'
            ActOnCase:
              operationId: actOnCase
              parameters:
                id: '$response.body#/id'
        '401':
          $ref: '#/components/responses/Unauthorized'
        '403':
          $ref: '#/components/responses/Forbidden'
        '404':
          $ref: '#/components/responses/NotFound'
        '409':
          $ref: '#/components/responses/Conflict'
  /api/v1/cases:
    post:
      operationId: fileCase
      summary: File a case, accepted now (township staff, mediators and county admins).
      tags: [cases]
      requestBody:
        required: true
        content:
          application/json:
            schema:
              $ref: '#/components/schemas/NewCase'
            example:
              title: Unpaid wages at the brick works
              category: labour
              unit_code: '150599002000'
              parties: Workers of the brick works; the owner
              source: walk_in
              level: township
      responses:
        '201':
          description: The case.
          content:
            application/json:
              schema:
                $ref: '#/components/schemas/Case'
          links:
            GetCase:
              operationId: getCase
              parameters:
                id: '$response.body#/id'
            ActOnCase:
              operationId: actOnCase
              parameters:
                id: '$response.body#/id'
        '400':
          $ref: '#/components/responses/BadRequest'
        '401':
          $ref: '#/components/responses/Unauthorized'
        '403':
          $ref: '#/components/responses/Forbidden'
        '404':
          $ref: '#/components/responses/NotFound'
        '413':
          $ref: '#/components/responses/TooLarge'
    get:
      operationId: listCases
      summary: Cases that arose under a unit, by id (paged).
      tags: [cases]
      parameters:
        - $ref: '#/components/parameters/UnitQuery'
        - name: status
          in: query
          required: false
          description: Only cases with this status.
          schema:
            $ref: '#/components/schemas/CaseStatus'
        - name: overdue
          in: query
          required: false
          description: When true, only unfinished cases past their deadline.
          schema:
            type: boolean
            default: false
        - $ref: '#/components/parameters/Limit'
        - $ref: '#/components/parameters/After'
      responses:
        '200':
          description: A page of cases.
          content:
            application/json:
              schema:
                $ref: '#/components/schemas/CasePage'
        '400':
          $ref: '#/components/responses/BadRequest'
        '401':
          $ref: '#/components/responses/Unauthorized'
        '403':
          $ref: '#/components/responses/Forbidden'
        '404':
          $ref: '#/components/responses/NotFound'
  /api/v1/cases/{id}:
    get:
      operationId: getCase
      summary: One case with its ledger, oldest first, and the actions it allows now.
      tags: [cases]
      parameters:
        - $ref: '#/components/parameters/CaseIdPath'
      responses:
        '200':
          description: The case.
          content:
            application/json:
              schema:
                $ref: '#/components/schemas/CaseDetail'
        '401':
          $ref: '#/components/responses/Unauthorized'
        '403':
          $ref: '#/components/responses/Forbidden'
        '404':
          $ref: '#/components/responses/NotFound'
  /api/v1/cases/{id}/actions:
    post:
      operationId: actOnCase
      summary: Act on a case (township staff, mediators and county admins); illegal transitions answer 409.
      description: >-
        `dispatch` needs `assignee` and takes an optional `deadline` (not in the past);
        `escalate` takes an optional `track` (else the case goes one level up; at
        the county that answers 409); `feedback` needs a `note`; `follow_up` needs
        `satisfaction` and earlier feedback (409 otherwise); `note` needs a `note`.
        Every action is appended to the ledger.
      tags: [cases]
      parameters:
        - $ref: '#/components/parameters/CaseIdPath'
      requestBody:
        required: true
        content:
          application/json:
            schema:
              $ref: '#/components/schemas/CaseActionRequest'
            example:
              action: dispatch
              assignee: Township mediation committee, P000012
      responses:
        '200':
          description: The case after the action (without its ledger).
          content:
            application/json:
              schema:
                $ref: '#/components/schemas/Case'
        '400':
          $ref: '#/components/responses/BadRequest'
        '401':
          $ref: '#/components/responses/Unauthorized'
        '403':
          $ref: '#/components/responses/Forbidden'
        '404':
          $ref: '#/components/responses/NotFound'
        '409':
          $ref: '#/components/responses/Conflict'
        '413':
          $ref: '#/components/responses/TooLarge'
  /api/v1/events:
    get:
      operationId: listEvents
      summary: The change feed after a sequence number, oldest first (township staff, mediators and county admins).
      description: >-
        Each caller sees the events of records at or under their own units (a visit
        by its household's block or grid, a risk by its grid, a case by its unit);
        county admins see every event.
      tags: [events]
      parameters:
        - name: after
          in: query
          required: false
          description: The sequence number to start after (the `next` of the previous page).
          schema:
            type: integer
            format: int64
            minimum: 0
            default: 0
        - $ref: '#/components/parameters/Limit'
      responses:
        '200':
          description: A page of events; `next` is the last event's `seq` as a string.
          content:
            application/json:
              schema:
                $ref: '#/components/schemas/EventPage'
        '400':
          $ref: '#/components/responses/BadRequest'
        '401':
          $ref: '#/components/responses/Unauthorized'
        '403':
          $ref: '#/components/responses/Forbidden'
components:
  securitySchemes:
    bearerAuth:
      type: http
      scheme: bearer
      description: A token from `gridbook token issue --person ID`.
  parameters:
    UnitCodePath:
      name: code
      in: path
      required: true
      description: The unit's code.
      schema:
        type: string
        minLength: 1
      example: '150599002000'
    UnitQuery:
      name: unit
      in: query
      required: true
      description: The unit's code (404 when unknown, 403 outside the caller's units).
      schema:
        type: string
        minLength: 1
      example: '150599002000'
    RiskIdPath:
      name: id
      in: path
      required: true
      description: The risk's id.
      schema:
        type: string
        minLength: 1
      example: 'R2026-000001'
    CaseIdPath:
      name: id
      in: path
      required: true
      description: The case's id.
      schema:
        type: string
        minLength: 1
      example: '2026-000001'
    OnDate:
      name: 'on'
      in: query
      required: false
      description: The date the schedule state is computed for (default today).
      schema:
        type: string
        format: date
    FromDate:
      name: from
      in: query
      required: false
      description: The first local date to include (400 when after `to`).
      schema:
        type: string
        format: date
    ToDate:
      name: to
      in: query
      required: false
      description: The last local date to include.
      schema:
        type: string
        format: date
    Reveal:
      name: reveal
      in: query
      required: false
      description: When true, phone numbers in full; county admins only (403 for others), audited.
      schema:
        type: boolean
        default: false
    Limit:
      name: limit
      in: query
      required: false
      description: Items per page.
      schema:
        type: integer
        minimum: 1
        maximum: 1000
        default: 100
    After:
      name: after
      in: query
      required: false
      description: The cursor to continue from, the `next` of the previous page.
      schema:
        type: string
  responses:
    BadRequest:
      description: Bad input; `details` names the field.
      content:
        application/json:
          schema:
            $ref: '#/components/schemas/Error'
    Unauthorized:
      description: No token, or an unknown, revoked or expired one.
      content:
        application/json:
          schema:
            $ref: '#/components/schemas/Error'
    Forbidden:
      description: Outside the caller's units, or not allowed for the caller's roles.
      content:
        application/json:
          schema:
            $ref: '#/components/schemas/Error'
    NotFound:
      description: Something named does not exist.
      content:
        application/json:
          schema:
            $ref: '#/components/schemas/Error'
    Conflict:
      description: The request clashes with what is stored.
      content:
        application/json:
          schema:
            $ref: '#/components/schemas/Error'
    TooLarge:
      description: The body is over 1 MB.
      content:
        application/json:
          schema:
            $ref: '#/components/schemas/Error'
  schemas:
    Error:
      type: object
      description: Every error answer.
      required: [error]
      properties:
        error:
          type: object
          required: [code, message, details]
          properties:
            code:
              type: string
              description: >-
                Machine-readable: invalid, unauthorized, forbidden, not_found, conflict,
                too_large, bad_request or internal.
            message:
              type: string
            details:
              type: array
              items:
                $ref: '#/components/schemas/ErrorDetail'
    ErrorDetail:
      type: object
      required: [field, problem]
      properties:
        field:
          type: string
        problem:
          type: string
    LocalDate:
      type: string
      format: date
      description: A local date, `YYYY-MM-DD`.
    UnitLevel:
      type: string
      enum: [county, township, village, grid, block]
    Role:
      type: string
      enum: [grid_member, block_head, police, auxiliary_police, township_staff, mediator, county_admin]
    VisitMethod:
      type: string
      enum: [door, phone, video, other]
    VisitOutcome:
      type: string
      enum: [met, absent, refused]
    RiskLevel:
      type: string
      enum: [red, orange, yellow, blue]
    RiskStatus:
      type: string
      enum: [open, monitoring, resolved, promoted]
    RiskSource:
      type: string
      enum: [visit, patrol, report, hotline]
    CaseLevel:
      type: string
      enum: [village, township, county]
    CaseStatus:
      type: string
      enum: [accepted, assigned, in_progress, resolved, unresolved, closed]
    CaseSource:
      type: string
      enum: [visit_discovery, walk_in, phone, letter, online, hotline, open311]
    CaseTrack:
      type: string
      enum: [mediation, judicial_confirmation, litigation, petition]
    CaseAction:
      type: string
      enum: [dispatch, start, note, resolve, fail, escalate, feedback, follow_up, close, reopen]
    Satisfaction:
      type: string
      enum: [satisfied, basically_satisfied, dissatisfied]
    UnitSummary:
      type: object
      required: [code, name, level]
      properties:
        code:
          type: string
        name:
          type: string
        level:
          $ref: '#/components/schemas/UnitLevel'
    UnitRef:
      type: object
      required: [code, name]
      properties:
        code:
          type: string
        name:
          type: string
    Me:
      type: object
      required: [id, name, roles, scope_units]
      properties:
        id:
          type: string
          description: The person's id.
        name:
          type: string
        roles:
          type: array
          description: The roles of the caller's active duties, by name.
          items:
            $ref: '#/components/schemas/Role'
        scope_units:
          type: array
          description: The units of the caller's active duties, by code.
          items:
            $ref: '#/components/schemas/UnitSummary'
    UnitDetail:
      type: object
      required: [code, name, level, parent_code, parents, children]
      properties:
        code:
          type: string
        name:
          type: string
        level:
          $ref: '#/components/schemas/UnitLevel'
        parent_code:
          type: [string, 'null']
          description: Null for the county.
        parents:
          type: array
          description: From the parent up to the county.
          items:
            $ref: '#/components/schemas/UnitSummary'
        children:
          type: array
          description: The units one level below, by code.
          items:
            $ref: '#/components/schemas/UnitSummary'
    Schedule:
      type: object
      description: Where a household stands on its visit schedule on a date.
      required: ['on', interval_days, last_met, due_on, overdue_days, covered]
      properties:
        'on':
          $ref: '#/components/schemas/LocalDate'
        interval_days:
          type: integer
        last_met:
          description: The latest `met` visit on or before `on`; null when never met.
          anyOf:
            - $ref: '#/components/schemas/LocalDate'
            - type: 'null'
        due_on:
          $ref: '#/components/schemas/LocalDate'
        overdue_days:
          type: integer
          minimum: 0
        covered:
          type: boolean
    Household:
      type: object
      required: [code, grid_code, block_code, address, head_name, phone, members, tags, registered_on, schedule]
      properties:
        code:
          type: string
        grid_code:
          type: string
        block_code:
          type: [string, 'null']
        address:
          type: string
        head_name:
          type: string
        phone:
          type: [string, 'null']
          description: Masked (138****1234) unless revealed.
        members:
          type: integer
        tags:
          type: array
          description: Category codes, sorted.
          items:
            type: string
        registered_on:
          $ref: '#/components/schemas/LocalDate'
        schedule:
          description: Null when the household was not yet registered on the date.
          anyOf:
            - $ref: '#/components/schemas/Schedule'
            - type: 'null'
        recent_visits:
          type: array
          description: Only in a single household's answer.
          items:
            $ref: '#/components/schemas/Visit'
    HouseholdDetail:
      allOf:
        - $ref: '#/components/schemas/Household'
        - type: object
          required: [recent_visits]
    Visit:
      type: object
      required: [id, household_code, visitor_id, visited_at, visited_on, method, outcome, note]
      properties:
        id:
          type: string
          format: uuid
          description: Lowercase UUID.
        household_code:
          type: string
        visitor_id:
          type: string
        visited_at:
          type: string
          description: ISO 8601 with offset, as it was given.
        visited_on:
          $ref: '#/components/schemas/LocalDate'
        method:
          $ref: '#/components/schemas/VisitMethod'
        outcome:
          $ref: '#/components/schemas/VisitOutcome'
        note:
          type: string
    LoggedVisit:
      description: A visit as logging it answers, with the risks found on it.
      allOf:
        - $ref: '#/components/schemas/Visit'
        - type: object
          required: [findings]
          properties:
            findings:
              type: array
              items:
                $ref: '#/components/schemas/Risk'
    NewVisit:
      type: object
      description: A visit to log. Unknown keys are ignored.
      required: [household_code, visited_at, method, outcome]
      properties:
        id:
          type: [string, 'null']
          description: A UUID (8-4-4-4-12 hex, either case); a new one when absent. Makes retries safe.
        household_code:
          type: string
        visitor_id:
          type: [string, 'null']
          description: The visitor's person id (default the caller).
        visited_at:
          type: string
          description: >-
            ISO 8601 with a UTC offset, `YYYY-MM-DDTHH:MM[:SS[.fraction]](Z|±HH:MM|±HHMM)`;
            not more than 5 minutes in the future.
          example: '2026-03-02T09:15:00+08:00'
        method:
          $ref: '#/components/schemas/VisitMethod'
        outcome:
          $ref: '#/components/schemas/VisitOutcome'
        note:
          type: [string, 'null']
        findings:
          type: [array, 'null']
          description: Risks found on the visit, stored on the visit's household and grid.
          items:
            $ref: '#/components/schemas/Finding'
    Finding:
      type: object
      description: A risk found on a visit.
      required: [category, level, title]
      properties:
        category:
          type: string
          description: An issue category code.
        level:
          $ref: '#/components/schemas/RiskLevel'
        title:
          type: string
        description:
          type: [string, 'null']
    DueItem:
      type: object
      required: [household_code, grid_code, due_on, overdue_days, interval_days, last_met]
      properties:
        household_code:
          type: string
        grid_code:
          type: string
        due_on:
          $ref: '#/components/schemas/LocalDate'
        overdue_days:
          type: integer
          minimum: 0
          description: Days past `due_on` on the list's date; 0 when not yet overdue.
        interval_days:
          type: integer
        last_met:
          description: The latest `met` visit on or before the list's date; null when never met.
          anyOf:
            - $ref: '#/components/schemas/LocalDate'
            - type: 'null'
    CoverageCounts:
      type: object
      required: [households, covered, coverage, overdue, never_visited]
      properties:
        households:
          type: integer
        covered:
          type: integer
        coverage:
          type: [number, 'null']
          description: Covered / households as a percentage with one decimal; null when there are no households.
        overdue:
          type: integer
        never_visited:
          type: integer
    CoverageRow:
      allOf:
        - type: object
          required: [code, name, level]
          properties:
            code:
              type: string
            name:
              type: string
              description: The unit's name, or the head of household's.
            level:
              type: string
              enum: [county, township, village, grid, block, household]
        - $ref: '#/components/schemas/CoverageCounts'
    CoverageReport:
      type: object
      required: [unit, as_of, rows, total]
      properties:
        unit:
          $ref: '#/components/schemas/UnitSummary'
        as_of:
          $ref: '#/components/schemas/LocalDate'
        rows:
          type: array
          items:
            $ref: '#/components/schemas/CoverageRow'
        total:
          $ref: '#/components/schemas/CoverageCounts'
    PairingReport:
      type: object
      required: [unit, grids_without_grid_member, grids_without_police, grids_without_party_group, villages_without_auxiliary_police, blocks_without_head]
      properties:
        unit:
          $ref: '#/components/schemas/UnitSummary'
        grids_without_grid_member:
          type: array
          items:
            $ref: '#/components/schemas/UnitRef'
        grids_without_police:
          type: array
          items:
            $ref: '#/components/schemas/UnitRef'
        grids_without_party_group:
          type: array
          items:
            $ref: '#/components/schemas/UnitRef'
        villages_without_auxiliary_police:
          type: array
          items:
            $ref: '#/components/schemas/UnitRef'
        blocks_without_head:
          type: array
          items:
            $ref: '#/components/schemas/UnitRef'
    CaseCounts:
      type: object
      required: [accepted, resolved, unresolved]
      properties:
        accepted:
          type: integer
        resolved:
          type: integer
          description: Cases that reached `resolved`.
        unresolved:
          type: integer
          description: Cases whose last finish was a failure.
    CaseReport:
      type: object
      required: [unit, from, to, total, finished, finished_on_time, followed_up, satisfied, resolution_rate, on_time_rate, satisfaction_rate, by_level, by_category, overdue]
      properties:
        unit:
          $ref: '#/components/schemas/UnitSummary'
        from:
          $ref: '#/components/schemas/LocalDate'
        to:
          $ref: '#/components/schemas/LocalDate'
        total:
          $ref: '#/components/schemas/CaseCounts'
        finished:
          type: integer
        finished_on_time:
          type: integer
        followed_up:
          type: integer
        satisfied:
          type: integer
          description: Followed up and satisfied or basically satisfied.
        resolution_rate:
          type: [number, 'null']
          description: Resolved / accepted, a percentage with one decimal; null when nothing was accepted.
        on_time_rate:
          type: [number, 'null']
          description: Finished on time / finished; null when nothing finished.
        satisfaction_rate:
          type: [number, 'null']
          description: Satisfied / followed up; null when nothing was followed up.
        by_level:
          type: object
          description: Counts by case level (keys village, township, county).
          additionalProperties:
            $ref: '#/components/schemas/CaseCounts'
        by_category:
          type: object
          description: Counts by issue category code.
          additionalProperties:
            $ref: '#/components/schemas/CaseCounts'
        overdue:
          type: array
          description: Cases accepted in the period, unfinished and past their deadline on `to`.
          items:
            $ref: '#/components/schemas/Case'
    Risk:
      type: object
      required: [id, unit_code, household_code, category, level, title, description, status, source, reported_by, reported_at, visit_id, review_due, case_id]
      properties:
        id:
          type: string
          description: R, the year reported, a sequence (R2026-000001).
        unit_code:
          type: string
          description: The grid.
        household_code:
          type: [string, 'null']
        category:
          type: string
          description: An issue category code.
        level:
          $ref: '#/components/schemas/RiskLevel'
        title:
          type: string
        description:
          type: string
        status:
          $ref: '#/components/schemas/RiskStatus'
        source:
          $ref: '#/components/schemas/RiskSource'
        reported_by:
          type: string
          description: A person id.
        reported_at:
          type: string
          format: date-time
          description: ISO 8601, UTC.
        visit_id:
          type: [string, 'null']
          description: The visit that found it.
        review_due:
          $ref: '#/components/schemas/LocalDate'
        case_id:
          type: [string, 'null']
          description: The case it was promoted to.
    RiskFollowUp:
      type: object
      required: [risk_id, at, person_id, note]
      properties:
        id:
          type: integer
          format: int64
        risk_id:
          type: string
        at:
          type: string
          format: date-time
          description: ISO 8601, UTC.
        person_id:
          type: string
        note:
          type: string
    RiskDetail:
      allOf:
        - $ref: '#/components/schemas/Risk'
        - type: object
          required: [follow_ups]
          properties:
            follow_ups:
              type: array
              description: Oldest first.
              items:
                $ref: '#/components/schemas/RiskFollowUp'
    NewRisk:
      type: object
      description: >-
        A risk to report: `unit_code` (a grid) or `household_code` or both (the
        household's grid must then be `unit_code`). Unknown keys are ignored.
      required: [category, level, title, source]
      properties:
        unit_code:
          type: [string, 'null']
        household_code:
          type: [string, 'null']
        category:
          type: string
          description: An issue category code.
        level:
          $ref: '#/components/schemas/RiskLevel'
        title:
          type: string
        description:
          type: [string, 'null']
        source:
          $ref: '#/components/schemas/RiskSource'
    RiskPatch:
      type: object
      description: Every key optional. Unknown keys are ignored.
      properties:
        status:
          anyOf:
            - $ref: '#/components/schemas/RiskStatus'
            - type: 'null'
        level:
          anyOf:
            - $ref: '#/components/schemas/RiskLevel'
            - type: 'null'
        note:
          type: [string, 'null']
          description: A follow-up by the caller.
    Case:
      type: object
      required: [id, title, category, parties, source, risk_id, unit_code, level, status, track, assignee, deadline, accepted_at, finished_at, feedback_given, satisfaction]
      properties:
        id:
          type: string
          description: The year accepted and a sequence (2026-000123).
        title:
          type: string
        category:
          type: string
          description: An issue category code.
        parties:
          type: string
        source:
          $ref: '#/components/schemas/CaseSource'
        risk_id:
          type: [string, 'null']
          description: The risk it was promoted from.
        unit_code:
          type: string
          description: Where it arose.
        level:
          $ref: '#/components/schemas/CaseLevel'
        status:
          $ref: '#/components/schemas/CaseStatus'
        track:
          $ref: '#/components/schemas/CaseTrack'
        assignee:
          type: [string, 'null']
          description: The responsible unit or department and person.
        deadline:
          $ref: '#/components/schemas/LocalDate'
        accepted_at:
          type: string
          format: date-time
          description: ISO 8601, UTC.
        finished_at:
          type: [string, 'null']
          format: date-time
          description: When it was resolved or found unresolved.
        feedback_given:
          type: boolean
        satisfaction:
          anyOf:
            - $ref: '#/components/schemas/Satisfaction'
            - type: 'null'
    LedgerEntry:
      type: object
      required: [at, actor, action, note]
      properties:
        at:
          type: string
          format: date-time
          description: ISO 8601, UTC.
        actor:
          type: string
          description: Who acted (a person id, or `cli:USER` / `system`).
        action:
          type: string
          description: '`accept` for the first entry, then a case action.'
        note:
          type: string
    CaseDetail:
      allOf:
        - $ref: '#/components/schemas/Case'
        - type: object
          required: [ledger, allowed_actions]
          properties:
            ledger:
              type: array
              description: Every action, oldest first.
              items:
                $ref: '#/components/schemas/LedgerEntry'
            allowed_actions:
              type: array
              items:
                $ref: '#/components/schemas/CaseAction'
    NewCase:
      type: object
      description: A case to file. Unknown keys are ignored.
      required: [title, category, unit_code, source]
      properties:
        title:
          type: string
        category:
          type: string
          description: An issue category code.
        unit_code:
          type: string
          description: Where it arose.
        parties:
          type: [string, 'null']
        source:
          $ref: '#/components/schemas/CaseSource'
        level:
          description: The level handling it (default village).
          anyOf:
            - $ref: '#/components/schemas/CaseLevel'
            - type: 'null'
    CaseActionRequest:
      type: object
      description: An action on a case. Unknown keys are ignored.
      required: [action]
      properties:
        action:
          $ref: '#/components/schemas/CaseAction'
        note:
          type: [string, 'null']
        assignee:
          type: [string, 'null']
          description: For `dispatch`, required there.
        deadline:
          description: For `dispatch` (default by level).
          anyOf:
            - $ref: '#/components/schemas/LocalDate'
            - type: 'null'
        track:
          description: For `escalate`.
          anyOf:
            - $ref: '#/components/schemas/CaseTrack'
            - type: 'null'
        satisfaction:
          description: For `follow_up`, required there.
          anyOf:
            - $ref: '#/components/schemas/Satisfaction'
            - type: 'null'
    Event:
      type: object
      required: [seq, type, id, at, data]
      properties:
        seq:
          type: integer
          format: int64
          minimum: 1
        type:
          type: string
          enum: [visit.logged, risk.created, risk.updated, risk.promoted, case.created, case.updated]
        id:
          type: string
          description: The id of the visit, risk or case.
        at:
          type: string
          format: date-time
          description: ISO 8601, UTC.
        data:
          type: [object, 'null']
          description: The record after the change (a Visit, Risk or Case).
    HouseholdPage:
      type: object
      required: [items, next]
      properties:
        items:
          type: array
          items:
            $ref: '#/components/schemas/Household'
        next:
          $ref: '#/components/schemas/Cursor'
    VisitPage:
      type: object
      required: [items, next]
      properties:
        items:
          type: array
          items:
            $ref: '#/components/schemas/Visit'
        next:
          $ref: '#/components/schemas/Cursor'
    DueItemPage:
      type: object
      required: [items, next]
      properties:
        items:
          type: array
          items:
            $ref: '#/components/schemas/DueItem'
        next:
          $ref: '#/components/schemas/Cursor'
    RiskPage:
      type: object
      required: [items, next]
      properties:
        items:
          type: array
          items:
            $ref: '#/components/schemas/Risk'
        next:
          $ref: '#/components/schemas/Cursor'
    CasePage:
      type: object
      required: [items, next]
      properties:
        items:
          type: array
          items:
            $ref: '#/components/schemas/Case'
        next:
          $ref: '#/components/schemas/Cursor'
    EventPage:
      type: object
      required: [items, next]
      properties:
        items:
          type: array
          items:
            $ref: '#/components/schemas/Event'
        next:
          $ref: '#/components/schemas/Cursor'
    Cursor:
      type: [string, 'null']
      description: The `after` of the next page; null on the last page.
"""#
}
