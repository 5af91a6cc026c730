// Everything a program needs to record itself with taskscope.
#pragma once

#include "taskscope/channel.hpp"
#include "taskscope/events.hpp"
#include "taskscope/session.hpp"
#include "taskscope/sync.hpp"
#include "taskscope/thread.hpp"
