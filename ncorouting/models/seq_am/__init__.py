"""The sequential peer of CAMP: an attention model that moves one vehicle per step (chosen jointly with its
next node), trained like CAMP, so the parallel multi-agent policy is compared with a neural peer."""
