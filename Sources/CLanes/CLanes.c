// CLanes is header-only (static inline functions the Swift optimizer inlines); this file gives
// the target a translation unit.
#include "CLanes.h"
