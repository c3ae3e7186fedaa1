import { metricsApi } from '$lib/site/metrics-api.server.ts';
import type { RequestHandler } from './$types';

export const GET: RequestHandler = ({ params, url }) => metricsApi(params.family, url);
