import { requireUser } from '$lib/access/access.server.ts';
import { metricsApi } from '$lib/site/metrics-api.server.ts';
import type { RequestHandler } from './$types';

export const GET: RequestHandler = ({ params, url, locals }) => metricsApi(requireUser(locals).scope, params.family, url);
