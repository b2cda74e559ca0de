// lakepipe's Kafka module: the producer, metadata lookups and the dev broker.
// See README.md in this folder.
#pragma once

#include "kafka/dev_broker.h"
#include "kafka/handles.h"
#include "kafka/metadata.h"
#include "kafka/producer.h"
#include "kafka/properties.h"
#include "kafka/topic_name.h"
