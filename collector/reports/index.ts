/** Service reports: the SQL loader and the HTTP route; the figures themselves are pure (core/report-*.ts). */
export { ReportLoader } from './report-loader.js';
export { reportRoutes, type ReportRoutesOptions } from './report-routes.js';
export { ReportQuery, ServiceReportJson } from './report-schemas.js';
