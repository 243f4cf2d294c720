/**
 * The Compute Optimizer operations cloudlet answers: enrollment (opt-in first, as on AWS),
 * EC2 instance recommendations from the shared right-sizing analysis, their summaries and
 * projected metrics, and the recommendation preferences that shape them.
 */
import type { Handler } from '../types.js';
import { getEnrollmentStatus, updateEnrollmentStatus } from './enrollment.js';
import { getEC2InstanceRecommendations, getEC2RecommendationProjectedMetrics, getRecommendationSummaries } from './ec2-recommendations.js';
import {
  deleteRecommendationPreferences, getEffectiveRecommendationPreferences, getRecommendationPreferences, putRecommendationPreferences,
} from './preferences.js';

export const computeOptimizerHandlers: Record<string, Handler> = {
  GetEnrollmentStatus: getEnrollmentStatus,
  UpdateEnrollmentStatus: updateEnrollmentStatus,
  GetEC2InstanceRecommendations: getEC2InstanceRecommendations,
  GetEC2RecommendationProjectedMetrics: getEC2RecommendationProjectedMetrics,
  GetRecommendationSummaries: getRecommendationSummaries,
  PutRecommendationPreferences: putRecommendationPreferences,
  GetRecommendationPreferences: getRecommendationPreferences,
  DeleteRecommendationPreferences: deleteRecommendationPreferences,
  GetEffectiveRecommendationPreferences: getEffectiveRecommendationPreferences,
};
