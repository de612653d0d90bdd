#pragma once

#include "model/genai.h"

#include <QIcon>

/**
 * The icons that mark GenAI steps in the waterfall, the run view and the trace list: a speech bubble for an LLM call,
 * a wrench for a tool call, a robot face for an agent. Painted once at 16 and 32 px (no image files). An empty icon
 * for SpanRole::None. GUI thread only (QPixmap).
 */
namespace GenAiIcons {

QIcon icon(GenAi::SpanRole role);
/// Tooltip-sized name of the role: "LLM call", "Tool call", "Agent", or empty.
QString roleName(GenAi::SpanRole role);

} // namespace GenAiIcons
